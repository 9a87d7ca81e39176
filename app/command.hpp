#pragma once

#include "common.hpp"

#include "cli_fwd.hpp"
#include <functional>

namespace app {

// The subcommand chosen on the command line. Each subcommand's CLI11
// callback fills in `run`; main calls it after parsing, and its return value
// is the exit code. Failures are thrown as util::Error.
struct Command {
  std::function<int()> run;
};

void add_ask_command(CLI::App& app, GlobalOptions& global, Command& command);
void add_stream_command(CLI::App& app, GlobalOptions& global, Command& command);
void add_keys_command(CLI::App& app, GlobalOptions& global, Command& command);
// `keys check`, a subcommand of `keys` (keys_check_cmd.cpp).
void add_keys_check_command(CLI::App& keys, GlobalOptions& global, Command& command);
// The listener (docs/contract.md, "The pool behind any tool").
void add_serve_command(CLI::App& app, GlobalOptions& global, Command& command);
void add_exec_command(CLI::App& app, GlobalOptions& global, Command& command);
void add_parse_retry_after_command(CLI::App& app, GlobalOptions& global, Command& command);

} // namespace app
