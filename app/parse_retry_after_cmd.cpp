// bridge parse-retry-after: the delay a response asks for (docs/contract.md, Retry-After).
#include "command.hpp"
#include "output.hpp"
#include "upstream/retry_after.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <memory>
#include <unistd.h>

namespace app {

namespace {

struct ParseRetryAfterOptions {
  std::vector<std::string> headers;
  bool seconds = false;
};

int run_parse_retry_after(const ParseRetryAfterOptions& options) {
  upstream::Headers headers;
  if (!options.headers.empty()) {
    std::string block;
    for (const auto& header : options.headers) {
      block += header + "\n";
    }
    headers = upstream::Headers::parse_block(block);
  } else if (stdin_closed()) {
    // A closed standard input (<&-) is no input: no header, a delay of 0.
  } else {
    if (::isatty(STDIN_FILENO) == 1) {
      Console{}.notice("reading a header block from the terminal; end it with Ctrl-D");
    }
    // A header block is small; anything past 1 MiB is not one.
    auto input = util::read_stdin(1024 * 1024);
    if (!input) {
      throw util::Error(util::ExitCode::usage, "standard input: " + input.error());
    }
    headers = upstream::Headers::parse_block(*input);
  }
  util::SystemClock clock;
  auto delay = upstream::parse_retry_after(headers, clock.now());
  std::string text = options.seconds
                         ? util::format_decimal_3(static_cast<double>(delay.count()) / 1000.0)
                         : std::to_string(delay.count());
  write_stdout(text + "\n");
  return 0;
}

} // namespace

void add_parse_retry_after_command(CLI::App& app, Command& command) {
  auto options = std::make_shared<ParseRetryAfterOptions>();
  auto* sub = app.add_subcommand(
      "parse-retry-after",
      "Print the delay a response asks for, from -H headers or a header block on stdin");
  sub->add_option("-H,--header", options->headers,
                  "A response header, 'Name: value' (repeatable); without any, a header block\n"
                  "as 'curl -sD -' prints it is read from standard input")
      ->type_name("'NAME: VALUE'")
      ->allow_extra_args(false);
  sub->add_flag("--seconds", options->seconds,
                "Print seconds (2.5) instead of milliseconds (2500)");
  sub->footer("Malformed input is not an error: it gives 0. See bridge(1), RETRY-AFTER.");
  sub->callback(
      [options, &command] { command.run = [options] { return run_parse_retry_after(*options); }; });
}

} // namespace app
