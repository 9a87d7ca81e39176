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

// The command line: the top-level app, the options it fills in and the
// command it chose. The commands' callbacks hold references to `global` and
// `command`, so it stays where it was made.
struct CommandLine {
  GlobalOptions global;
  Command command;
  CLI::App app{"bridge: send requests to the Anthropic Messages API (or an OpenAI-compatible\n"
               "one) through a pool of keys that fails over on rate limits and revoked keys",
               "bridge"};

  CommandLine() {
    app.set_version_flag("--version", fmt::format("bridge {}", util::version()));
    app.footer(k_footer);
    app.require_subcommand(1);
    global.add_to(app);
  }
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;
};

using AddCommand = void (*)(CLI::App&, GlobalOptions&, Command&);

struct NamedCommand {
  const char* name;
  AddCommand add;
};

constexpr NamedCommand k_commands[] = {
    {"ask", add_ask_command},     {"stream", add_stream_command},
    {"keys", add_keys_command},   {"parse-retry-after", add_parse_retry_after_command},
    {"serve", add_serve_command}, {"exec", add_exec_command},
};

void add_all_commands(CommandLine& line) {
  for (const auto& command : k_commands) {
    command.add(line.app, line.global, line.command);
  }
}

// What parse() returns besides an exit code.
constexpr int k_ready = -1;       // the command is ready to run
constexpr int k_parse_again = -2; // see parse()

// Settles the words (prepare_arguments) and parses them. Returns k_ready, or
// the exit code of --help, --version or a usage error, which it has printed.
// With `only_one`, the app holds the named command alone: then any failure,
// --help or --version returns k_parse_again and prints nothing, for the
// caller to parse again with every command, which says it as before.
int parse(CommandLine& line, int argc, char** argv, bool only_one) {
  Console console;
  std::vector<std::string> words;
  try {
    words = prepare_arguments(line.app, argc, argv);
  } catch (const util::Error& error) {
    return only_one ? k_parse_again : usage_error(console, error.what());
  }
  if (words.empty()) {
    return only_one ? k_parse_again
                    : usage_error(console,
                                  "no command given: bridge ask|stream|keys|parse-retry-after ...");
  }
  std::reverse(words.begin(), words.end()); // CLI11 takes them last first
  try {
    line.app.parse(words);
  } catch (const CLI::ParseError& error) {
    if (only_one) {
      return k_parse_again;
    }
    // --help and --version are "errors" that exit 0; everything else is a
    // usage error, exit 2 whatever CLI11's own code.
    if (error.get_exit_code() == 0) {
      // Through write_stdout, so that a failed write is seen (exit 74).
      std::ostringstream out;
      std::ostringstream err;
      int code = line.app.exit(error, out, err);
      write_stdout(out.str());
      if (!err.str().empty()) {
        console.error(err.str());
      }
      return code;
    }
    std::string message = error.what();
    if (message == "A subcommand is required") {
      message = line.app.got_subcommand("keys")
                    ? "'bridge keys' needs a command: status, reset or check"
                    : "no command given: bridge ask|stream|keys|parse-retry-after ...";
    }
    return usage_error(console, message);
  }
  return k_ready;
}

int run(CommandLine& line) {
  Console console = line.global.console();
  try {
    return line.command.run ? line.command.run() : static_cast<int>(util::ExitCode::usage);
  } catch (const util::Error& error) {
    console.error(error.what());
    return static_cast<int>(error.code());
  } catch (const std::exception& error) {
    console.error(fmt::format("internal error: {}", error.what()));
    return 70;
  }
}

// Builds the app with the command the words name and no other, and parses
// them; failing that, with every command. Building CLI11's options of all
// six commands was 0.75 M instructions, a seventh of what a one-shot `ask`
// ran after the dynamic loader, and 13 pages of heap (bench/README.md,
// "Where the wall time of ask goes"). A command parses the same either way: the words
// before it are the top level's, and once it is chosen CLI11 takes no other
// (require_subcommand(1)); prepare_arguments looks at the other commands
// only to explain an error, and an error, --help or --version goes through
// the app with every command, as before.
int parse_and_run(int argc, char** argv) {
  {
    CommandLine line;
    std::string word = command_word(line.app, argc, argv);
    for (const auto& command : k_commands) {
      if (word == command.name) {
        command.add(line.app, line.global, line.command);
        if (parse(line, argc, argv, /*only_one=*/true) == k_ready) {
          return run(line);
        }
        break;
      }
    }
  }
  CommandLine line;
  add_all_commands(line);
  int code = parse(line, argc, argv, /*only_one=*/false);
  return code == k_ready ? run(line) : code;
}

} // namespace

int bridge_main(int argc, char** argv) {
  reserve_standard_descriptors();
  util::install_interrupt_handler();
  return finish_stdout(parse_and_run(argc, argv));
}

} // namespace app
