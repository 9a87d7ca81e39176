// bridge keys check: probe each key once, cheaply and all at once, and record
// what the answers say (a key that works again loses its disabled mark). The
// run itself is check_keys (keys_check.hpp); here, its options and wiring.
#include "command.hpp"
#include "invocation.hpp"
#include "keys_check.hpp"
#include "output.hpp"
#include "pool_state.hpp"
#include "upstream/probe.hpp"
#include "util/error.hpp"

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>

namespace app {

namespace {

int run_check(const GlobalOptions& global, CheckOptions options) {
  Console console = global.console();
  Invocation invocation(global, console);
  // The order of the checks decides which error a user with several sees
  // first: the provider, the base URL, then the keys.
  const upstream::Provider& provider = invocation.provider();
  const std::string& base_url = invocation.base_url();
  const KeySource& source = invocation.keys();

  util::SystemClock clock;
  // The results go to whichever store --state names: the state file, or
  // Redis (with the local state file behind it, as for a request). A lone
  // key from the environment is remembered nowhere.
  std::optional<PoolState> state;
  if (source.mode == KeySource::Mode::pool) {
    state.emplace(global, source.keys, clock, console);
    state->store().check_writable(); // refuses a newer state file before anything is sent
  }
  options.model = default_model(provider.profile());
  upstream::CurlProber prober;
  CheckWorld world{provider, base_url, source, state ? &state->store() : nullptr,
                   clock,    prober,   console};
  CheckResult result = check_keys(world, options);
  write_stdout(result.output);
  if (result.unchanged) {
    throw *result.unchanged;
  }
  return result.exit_code;
}

} // namespace

void add_keys_check_command(CLI::App& keys, GlobalOptions& global, Command& command) {
  auto options = std::make_shared<CheckOptions>();
  auto* check = keys.add_subcommand(
      "check", "Probe each key once (GET /v1/models, no tokens spent; Bedrock: a one-token\n"
               "InvokeModel), all at once, and record what it says: a working key loses\n"
               "its disabled mark (exit 0 when a\n"
               "key works, 77 when all were refused, 69 when upstream is unreachable, 75\n"
               "when every key is cooling or refused)");
  check->add_flag("--json", options->json, "Print a JSON array instead of a table");
  check->add_option("LABEL", options->labels, "Labels of the keys to probe (all when none named)");
  check->fallthrough();
  check->footer(k_global_options_note);
  check->callback([&global, options, &command] {
    command.run = [&global, options] { return run_check(global, *options); };
  });
}

} // namespace app
