#include "common.hpp"

#include "keys/key_file.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <cstdlib>
#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace app {

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || value[0] == '\0') {
    return std::nullopt;
  }
  return std::string(value);
}

void GlobalOptions::add_to(CLI::App& app) {
  app.add_option("--key-file", key_file,
                 "Key file: one key per line, KEY or LABEL KEY\n"
                 "[env: BRIDGE_KEY_FILE] [default: $XDG_CONFIG_HOME/bridge/keys]")
      ->type_name("FILE");
  app.add_option("--state", state,
                 "State file shared by all invocations, or a Redis URL shared by many\n"
                 "machines: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?prefix=P&timeout=MS]\n"
                 "or unix://[[USER]:PASSWORD@]/PATH.sock[?db=N&prefix=P&timeout=MS]\n"
                 "(password better in REDISCLI_AUTH)\n"
                 "[env: BRIDGE_STATE] [default: $XDG_STATE_HOME/bridge/state.json]")
      ->type_name("PATH|URL");
  app.add_option("--base-url", base_url,
                 "API base URL [env: ANTHROPIC_BASE_URL or OPENAI_BASE_URL]\n"
                 "[default: https://api.anthropic.com or https://api.openai.com/v1]")
      ->type_name("URL");
  app.add_option("--provider", provider,
                 "Upstream API: anthropic (Messages) or openai (Chat Completions,\n"
                 "also spoken by many other hosts and local servers)\n"
                 "[env: BRIDGE_PROVIDER] [default: anthropic]")
      ->type_name("NAME")
      ->transform(CLI::IsMember(upstream::provider_names(), CLI::ignore_case)); // OpenAI -> openai
  app.add_flag("-v,--verbose", verbose, "Tell which key each attempt used and how it ended");
  app.add_flag("-q,--quiet", quiet, "No warnings or notices on stderr, only errors");
}

Console GlobalOptions::console() const {
  Console console;
  console.verbose = verbose;
  console.quiet = quiet;
  return console;
}

namespace {

// The home directory: HOME when it is an absolute path, else the password
// database's entry for our user. Never the working directory: a relative
// or missing HOME must not make bridge read keys from wherever it runs.
std::string home_directory() {
  if (auto home = env("HOME"); home && home->front() == '/') {
    return *home;
  }
  const passwd* entry = ::getpwuid(::getuid());
  if (entry != nullptr && entry->pw_dir != nullptr && entry->pw_dir[0] == '/') {
    return entry->pw_dir;
  }
  throw util::Error(util::ExitCode::config,
                    fmt::format("cannot tell the home directory: HOME is not an absolute path and "
                                "the password database has none for user {}; set HOME, or give "
                                "--key-file and --state",
                                ::getuid()));
}

// An XDG base directory: the variable when it holds an absolute path (the
// specification says to ignore relative ones), else under the home
// directory.
std::string xdg_dir(const char* variable, const char* fallback) {
  if (auto value = env(variable); value && value->front() == '/') {
    return *value;
  }
  return home_directory() + "/" + fallback;
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

} // namespace

std::string default_key_file(const upstream::ProviderProfile& profile) {
  return xdg_dir("XDG_CONFIG_HOME", ".config") + "/bridge/" + profile.key_file_name;
}
std::string default_state_file() {
  return xdg_dir("XDG_STATE_HOME", ".local/state") + "/bridge/state.json";
}

std::unique_ptr<upstream::Provider> resolve_provider(const GlobalOptions& options) {
  if (options.provider) {
    if (auto provider = upstream::make_provider(*options.provider)) {
      return provider;
    }
    throw util::Error(util::ExitCode::usage,
                      fmt::format("--provider {}: unknown provider", *options.provider));
  }
  std::string name = env("BRIDGE_PROVIDER").value_or("anthropic");
  if (auto provider = upstream::make_provider(util::to_lower(name))) { // as --provider: OpenAI
    return provider;
  }
  std::string known;
  for (const auto& each : upstream::provider_names()) {
    known += (known.empty() ? "" : ", ") + each;
  }
  throw util::Error(util::ExitCode::config,
                    fmt::format("BRIDGE_PROVIDER={}: unknown provider (known: {})", name, known));
}

KeySource resolve_keys(const GlobalOptions& options, const upstream::ProviderProfile& profile,
                       const Console& console) {
  KeySource source;
  const std::string& key_env = profile.key_env;
  std::optional<std::string> file = options.key_file ? options.key_file : env("BRIDGE_KEY_FILE");
  // The default path is needed (and the home directory looked up) only
  // when no key file is named.
  std::string default_file = file ? std::string() : default_key_file(profile);
  auto byok = env(key_env.c_str());
  if (!file && byok && !file_exists(default_file)) {
    if (!keys::is_sendable_secret(*byok)) {
      throw util::Error(util::ExitCode::config,
                        fmt::format("{} contains white space or a character that cannot be "
                                    "sent in an HTTP header",
                                    key_env));
    }
    source.mode = KeySource::Mode::byok;
    source.keys.push_back(keys::make_key(key_env, *byok));
    return source;
  }
  if (!file && !file_exists(default_file)) {
    throw util::Error(
        util::ExitCode::config,
        fmt::format("no API keys configured. Either put keys in {} (one per line, LABEL KEY, "
                    "mode 0600) or point --key-file / BRIDGE_KEY_FILE at such a file; or set "
                    "{} for a single key without failover",
                    default_file, key_env));
  }
  source.key_file = file ? *file : default_file;
  // What would work instead of this file. A named file (--key-file,
  // BRIDGE_KEY_FILE) wins over the key variable, so setting that variable
  // changes nothing; leaving the name out does when the variable is set.
  std::string advice;
  if (file && byok) {
    advice = fmt::format("; or, to use the single key in {}, name no key file "
                         "(drop {}){}",
                         key_env, options.key_file ? "--key-file" : "BRIDGE_KEY_FILE",
                         file_exists(default_file) ? fmt::format(" and move {} aside", default_file)
                                                   : std::string());
  } else if (!file) {
    advice =
        fmt::format("; or set {} for a single key without failover, and remove this file", key_env);
  }
  std::vector<std::string> warnings;
  source.keys = keys::load_key_file(source.key_file, warnings, advice);
  for (const auto& warning : warnings) {
    console.warning(warning);
  }
  return source;
}

std::string resolve_state_path(const GlobalOptions& options) {
  if (options.state) {
    return *options.state;
  }
  if (auto value = env("BRIDGE_STATE")) {
    return *value;
  }
  return default_state_file();
}

std::string resolve_base_url(const GlobalOptions& options,
                             const upstream::ProviderProfile& profile) {
  if (options.base_url) {
    return *options.base_url;
  }
  if (auto value = env(profile.base_url_env.c_str())) {
    return *value;
  }
  return profile.default_base_url;
}

} // namespace app
