#pragma once

#include "console.hpp"
#include "keys/key.hpp"
#include "upstream/provider.hpp"

#include "cli_fwd.hpp"
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace app {

// Options shared by ask, stream and keys (docs/contract.md, commands). They are declared on the
// top-level app and reached from subcommands by CLI11's fallthrough, so they
// may stand before or after the subcommand.
struct GlobalOptions {
  std::optional<std::string> key_file;
  std::optional<std::string> state;
  std::optional<std::string> base_url;
  std::optional<std::string> provider;
  std::optional<std::string> region; // Amazon Bedrock's
  bool verbose = false;
  bool quiet = false;

  void add_to(CLI::App& app);
  Console console() const;
};

// The footer of the help of ask, stream and keys.
inline constexpr const char* k_global_options_note =
    "Global options (--provider, --region, --key-file, --state, --base-url, -v, -q) may\n"
    "also "
    "follow the subcommand; see bridge --help. Exit codes and files: man bridge.";

// Where the keys of this invocation come from (docs/contract.md, keys).
struct KeySource {
  enum class Mode { pool, byok };
  Mode mode = Mode::pool;
  std::string key_file;        // pool mode
  std::vector<keys::Key> keys; // the pool, or the one BYOK key
};

// The upstream API: --provider, BRIDGE_PROVIDER, or anthropic; for Bedrock
// with the region of --region, AWS_REGION or AWS_DEFAULT_REGION. Throws
// util::Error (exit 78) for a BRIDGE_PROVIDER that names none (an unknown
// --provider is refused by the parser, exit 2) and for Bedrock without a
// region.
std::unique_ptr<upstream::Provider> resolve_provider(const GlobalOptions& options);

// Resolves and loads the keys of the provider `profile` describes:
// --key-file/BRIDGE_KEY_FILE, else the provider's key variable
// (ANTHROPIC_API_KEY, OPENAI_API_KEY) when there is no default key file
// (BYOK), else the default key file. Throws util::Error (exit 78) when there
// are none, and for a key the provider cannot use (unusable_secret). Commands reach it through
// Invocation::keys().
KeySource resolve_keys(const GlobalOptions& options, const upstream::Provider& provider,
                       const Console& console);

// The state file path: --state, BRIDGE_STATE, or the XDG default.
std::string resolve_state_path(const GlobalOptions& options);
// The base URL, unchecked: --base-url, the provider's variable
// (ANTHROPIC_BASE_URL, OPENAI_BASE_URL), or the provider's own. Commands
// reach it checked through Invocation::base_url().
std::string resolve_base_url(const GlobalOptions& options,
                             const upstream::ProviderProfile& profile);

// The default paths, from XDG_CONFIG_HOME / XDG_STATE_HOME / HOME (or, when
// HOME is unset or relative, the password database); the key file is named
// by the provider (keys, openai.keys). Throws util::Error (exit 78) when no
// home directory can be found.
std::string default_key_file(const upstream::ProviderProfile& profile);
std::string default_state_file();

// The model a request names when -m does not: BRIDGE_MODEL, else the
// provider's default. `keys status` without -m answers for it.
std::string default_model(const upstream::ProviderProfile& profile);

// A CLI11 check refusing an empty value (`--state ''`) with `why`, which
// says what is missing and what to do; CLI11 puts the option's name first
// and makes it a usage error (exit 2). A variable set to the empty string
// counts as unset, but an option given on purpose with nothing in it is a
// mistake (often an unset shell variable: --key-file "$KEYS").
CLI::Validator non_empty(std::string why);

// An environment variable, or nullopt when unset or empty.
std::optional<std::string> env(const char* name);

} // namespace app
