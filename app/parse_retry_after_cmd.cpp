// bridge parse-retry-after: the delay a response asks for (docs/contract.md, Retry-After).
#include "command.hpp"
#include "common.hpp"
#include "output.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

#include <CLI/CLI.hpp>
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

int run_parse_retry_after(const GlobalOptions& global, const ParseRetryAfterOptions& options) {
  auto provider = resolve_provider(global);
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
  // Read as the walk reads a 429 with these headers, by the provider that
  // would send it: OpenAI's reset headers count too (docs/contract.md).
  upstream::Attempt attempt;
  attempt.status = 429;
  attempt.headers = std::move(headers);
  util::SystemClock clock;
  auto delay = provider->read(attempt, clock.now()).retry_after;
  std::string text = options.seconds
                         ? util::format_decimal_3(static_cast<double>(delay.count()) / 1000.0)
                         : std::to_string(delay.count());
  write_stdout(text + "\n");
  return 0;
}

} // namespace

void add_parse_retry_after_command(CLI::App& app, GlobalOptions& global, Command& command) {
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
  sub->footer("The delay is read as the failover walk reads a 429 from the provider\n"
              "(--provider, before or after the command): with openai, the\n"
              "x-ratelimit-reset-requests/-tokens headers count too. Malformed input is\n"
              "not an error: it gives 0. See bridge(1), RETRY-AFTER.");
  sub->fallthrough(); // --provider after the command
  sub->callback([&global, options, &command] {
    command.run = [&global, options] { return run_parse_retry_after(global, *options); };
  });
}

} // namespace app
