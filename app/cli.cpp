#include "cli.hpp"

#include "argv.hpp"
#include "command.hpp"
#include "output.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/version.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <fmt/format.h>
#include <sstream>

namespace app {

namespace {

constexpr const char* k_footer = R"(Examples:
  bridge ask 'Explain flock(2) in one paragraph'
  git diff | bridge ask 'Review this change'        # stdin first, then the words
  bridge stream -m claude-opus-4-1 'Write a haiku'
  bridge ask --provider openai 'Hello'               # OpenAI Chat Completions
  BRIDGE_PROVIDER=openai OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_API_KEY=x \
    bridge stream -m llama3.2 'Hello'                 # a local server (Ollama)
  bridge ask --provider bedrock --region us-east-1 'Hello'   # Claude on Amazon Bedrock
  bridge keys status                                # ready / cooling / disabled

In scripts and CI:
  export BRIDGE_KEY_FILE=/run/secrets/anthropic-keys   # LABEL KEY per line, mode 0600
  bridge ask --wait 120 -q --no-stdin "$PROMPT" > answer.txt
  bridge keys status --json; echo $?                   # 0 ready, 75 cooling, 77 disabled

Exit codes: 0 ok, 1 upstream error, 2 usage, 69 unreachable, 70 internal error,
74 output failed, 75 all keys cooling, 77 all keys disabled, 78 configuration,
130 interrupted, 141 output closed, 143 terminated. Help on one command: bridge help COMMAND. See bridge(1).)";

} // namespace

namespace {

int usage_error(const Console& console, const std::string& message) {
  console.error(message);
  console.error("run 'bridge --help' (or 'bridge help COMMAND') for usage");
  return static_cast<int>(util::ExitCode::usage);
}

int run(CLI::App& app, int argc, char** argv, GlobalOptions& global, Command& command) {
  Console console;
  std::vector<std::string> words;
  try {
    words = prepare_arguments(app, argc, argv);
  } catch (const util::Error& error) {
    return usage_error(console, error.what());
  }
  if (words.empty()) {
    return usage_error(console, "no command given: bridge ask|stream|keys|parse-retry-after ...");
  }
  std::reverse(words.begin(), words.end()); // CLI11 takes them last first
  try {
    app.parse(words);
  } catch (const CLI::ParseError& error) {
    // --help and --version are "errors" that exit 0; everything else is a
    // usage error, exit 2 whatever CLI11's own code.
    if (error.get_exit_code() == 0) {
      // Through write_stdout, so that a failed write is seen (exit 74).
      std::ostringstream out;
      std::ostringstream err;
      int code = app.exit(error, out, err);
      write_stdout(out.str());
      if (!err.str().empty()) {
        console.error(err.str());
      }
      return code;
    }
    std::string message = error.what();
    if (message == "A subcommand is required") {
      message = app.got_subcommand("keys")
                    ? "'bridge keys' needs a command: status, reset or check"
                    : "no command given: bridge ask|stream|keys|parse-retry-after ...";
    }
    return usage_error(console, message);
  }
  console = global.console();
  try {
    return command.run ? command.run() : static_cast<int>(util::ExitCode::usage);
  } catch (const util::Error& error) {
    console.error(error.what());
    return static_cast<int>(error.code());
  } catch (const std::exception& error) {
    console.error(fmt::format("internal error: {}", error.what()));
    return 70;
  }
}

} // namespace

int bridge_main(int argc, char** argv) {
  reserve_standard_descriptors();
  util::install_interrupt_handler();
  GlobalOptions global;
  Command command;
  CLI::App app("bridge: send requests to the Anthropic Messages API (or an OpenAI-compatible\n"
               "one) through a pool of keys that fails over on rate limits and revoked keys",
               "bridge");
  app.set_version_flag("--version", fmt::format("bridge {}", util::version()));
  app.footer(k_footer);
  app.require_subcommand(1);
  global.add_to(app);
  add_ask_command(app, global, command);
  add_stream_command(app, global, command);
  add_keys_command(app, global, command);
  add_parse_retry_after_command(app, global, command);
  add_serve_command(app, global, command);
  add_exec_command(app, global, command);

  return finish_stdout(run(app, argc, argv, global, command));
}

} // namespace app
