#include "common.hpp"

#include "keys/key_file.hpp"
#include "keys/key_owner.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
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

CLI::Validator non_empty(std::string why) {
  return CLI::Validator(
      [why = std::move(why)](std::string& text) { return text.empty() ? why : std::string(); }, "");
}

void GlobalOptions::add_to(CLI::App& app) {
  app.add_option("--key-file", key_file,
                 "Key file: one key per line, KEY or LABEL KEY\n"
                 "[env: BRIDGE_KEY_FILE] [default: $XDG_CONFIG_HOME/bridge/keys]")
      ->type_name("FILE")
      ->check(non_empty("the key file's path is empty; name the file, or leave the option out"));
  app.add_option("--state", state,
                 "State file shared by all invocations, or a Redis URL shared by many\n"
                 "machines: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?prefix=P&timeout=MS]\n"
                 "or unix://[[USER]:PASSWORD@]/PATH.sock[?db=N&prefix=P&timeout=MS]\n"
                 "(password better in REDISCLI_AUTH)\n"
                 "[env: BRIDGE_STATE] [default: $XDG_STATE_HOME/bridge/state.json]")
      ->type_name("PATH|URL")
      ->check(non_empty("the state file's path or URL is empty; name one, or leave the option "
                        "out"));
  app.add_option("--base-url", base_url,
                 "API base URL [env: ANTHROPIC_BASE_URL, OPENAI_BASE_URL or\n"
                 "AWS_ENDPOINT_URL_BEDROCK_RUNTIME] [default: https://api.anthropic.com,\n"
                 "https://api.openai.com/v1 or https://bedrock-runtime.REGION.amazonaws.com]")
      ->type_name("URL")
      ->check(non_empty("the base URL is empty; name one, or leave the option out"));
  app.add_option("--provider", provider,
                 "Upstream API: anthropic (Messages), openai (Chat Completions,\n"
                 "also spoken by many other hosts and local servers) or bedrock\n"
                 "(Claude on Amazon Bedrock)\n"
                 "[env: BRIDGE_PROVIDER] [default: anthropic]")
      ->type_name("NAME")
      ->transform(CLI::Validator(
          [](std::string& name) -> std::string {
            std::string known;
            for (const auto& each : upstream::provider_names()) {
              if (util::to_lower(name) == each) {
                name = each; // OpenAI -> openai, as BRIDGE_PROVIDER
                return {};
              }
              known += (known.empty() ? "" : " or ") + each;
            }
            return name.empty()
                       ? fmt::format("the provider name is empty; name one ({}), or leave the "
                                     "option out",
                                     known)
                       : fmt::format("unknown provider (known: {})", known);
          },
          ""));
  app.add_option("--region", region,
                 "AWS region of the bedrock provider\n"
                 "[env: AWS_REGION or AWS_DEFAULT_REGION]")
      ->type_name("REGION")
      ->check(non_empty("the region is empty; name one (e.g. us-east-1), or leave the option "
                        "out"));
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
  upstream::ProviderSettings settings;
  settings.region = options.region
                        ? *options.region
                        : env("AWS_REGION").value_or(env("AWS_DEFAULT_REGION").value_or(""));
  if (options.provider) {
    if (auto provider = upstream::make_provider(*options.provider, settings)) {
      return provider;
    }
    throw util::Error(util::ExitCode::usage,
                      fmt::format("--provider {}: unknown provider", *options.provider));
  }
  std::string name = env("BRIDGE_PROVIDER").value_or("anthropic");
  if (auto provider = upstream::make_provider(util::to_lower(name), settings)) { // as --provider
    return provider;
  }
  std::string known;
  for (const auto& each : upstream::provider_names()) {
    known += (known.empty() ? "" : ", ") + each;
  }
  throw util::Error(util::ExitCode::config,
                    fmt::format("BRIDGE_PROVIDER={}: unknown provider (known: {})", name, known));
}

namespace {

std::string owner_name(std::string_view owner) {
  return owner == "anthropic" ? "an Anthropic"
         : owner == "openai"  ? "an OpenAI"
         : owner == "bedrock" ? "an Amazon Bedrock"
                              : std::string(owner);
}

// A key that plainly belongs to another provider (keys::key_owner) is never
// sent: an Anthropic key as an OpenAI Bearer token would go to a host that
// has no business seeing it. `where()` names the key; `advice()` says what
// else would work. Both are called only for a key refused: a pool of 10,000
// keys would otherwise format 30,000 messages that nobody reads.
template <typename Where, typename Advice>
void refuse_foreign_key(const keys::Key& key, const upstream::ProviderProfile& profile,
                        const Where& where, const Advice& advice) {
  std::string_view owner = keys::key_owner(key.secret);
  if (owner.empty() || owner == profile.name) {
    return;
  }
  throw util::Error(util::ExitCode::config,
                    fmt::format("{} is {} key ({}...), and the provider in use is {}: bridge sends "
                                "a key to its own provider's API only{}",
                                where(), owner_name(owner), keys::owner_prefix(key.secret),
                                profile.name, advice()));
}

// A key the provider cannot use here (a Bedrock IAM key with an old
// libcurl) is refused before any request, naming the key by its hint.
template <typename Where>
void refuse_unusable_key(const keys::Key& key, const upstream::Provider& provider,
                         const Where& where) {
  if (auto why = provider.unusable_secret(key.secret)) {
    throw util::Error(util::ExitCode::config, fmt::format("{}: {}", where(), *why));
  }
}

} // namespace

KeySource resolve_keys(const GlobalOptions& options, const upstream::Provider& provider,
                       const Console& console) {
  const upstream::ProviderProfile& profile = provider.profile();
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
    auto named = [&] { return key_env; };
    refuse_unusable_key(source.keys.front(), provider, named);
    refuse_foreign_key(source.keys.front(), profile, named, [&] {
      return fmt::format("; put a {} key in {}, or choose the provider with --provider "
                         "or BRIDGE_PROVIDER",
                         profile.name, key_env);
    });
    console.detail(
        fmt::format("key: the one in {} (a single key: no failover, no state)", key_env));
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
  const char* named_by = options.key_file ? "--key-file"
                         : file           ? "BRIDGE_KEY_FILE"
                                          : "the default key file";
  // What would work instead of this file. A named file (--key-file,
  // BRIDGE_KEY_FILE) wins over the key variable, so setting that variable
  // changes nothing; leaving the name out does when the variable is set.
  std::string use_variable; // how to use the key variable instead, when it is set
  if (byok) {
    use_variable =
        file ? fmt::format("name no key file (drop {}){}", named_by,
                           file_exists(default_key_file(profile))
                               ? fmt::format(" and move {} aside", default_key_file(profile))
                               : std::string())
             : fmt::format("move {} aside", default_file);
  }
  std::string advice;
  if (byok) {
    advice = fmt::format("; or, to use the single key in {}, {}", key_env, use_variable);
  } else if (!file) {
    advice =
        fmt::format("; or set {} for a single key without failover, and remove this file", key_env);
  }
  std::vector<std::string> warnings;
  source.keys = keys::load_key_file(source.key_file, warnings, advice);
  for (const auto& warning : warnings) {
    console.warning(warning);
  }
  // A key file belongs to one provider.
  for (const auto& key : source.keys) {
    auto named = [&] {
      return fmt::format("{}: key '{}' (line {}, {})", source.key_file, key.label, key.line,
                         key.hint);
    };
    refuse_foreign_key(key, profile, named, [&] {
      return fmt::format("; a key file holds the keys of one provider: name a file of {} "
                         "keys (--key-file, BRIDGE_KEY_FILE or {}){}",
                         profile.name, profile.key_file_name, advice);
    });
    refuse_unusable_key(key, provider, named);
  }
  console.detail(
      fmt::format("keys: {} from {} ({})", source.keys.size(), source.key_file, named_by));
  // The key variable loses to a key file: never without a word when it holds
  // a key the file does not (docs/providers.md, "Where keys come from").
  if (byok) {
    bool in_file = std::any_of(source.keys.begin(), source.keys.end(),
                               [&](const keys::Key& key) { return key.secret == *byok; });
    std::string message =
        fmt::format("{} is set but not used: the keys come from {} ({}), which wins over it; to "
                    "use {} instead, {}",
                    key_env, source.key_file, named_by, key_env, use_variable);
    if (in_file) {
      console.detail(fmt::format("{} holds a key of {}: the whole key file is used", key_env,
                                 source.key_file));
    } else {
      console.notice(message);
    }
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

std::string default_model(const upstream::ProviderProfile& profile) {
  return env("BRIDGE_MODEL").value_or(profile.default_model);
}

} // namespace app
