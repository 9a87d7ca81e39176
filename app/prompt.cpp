// The prompt of `ask` and `stream`, from the words and standard input.
#include "prompt.hpp"

#include "console.hpp"
#include "output.hpp"

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/interrupt.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

namespace app {

using util::Error;
using util::ExitCode;

namespace {

// Whether standard input is open at all: `bridge ask hi <&-` closes it, and a
// closed input is no input, not an error.
bool stdin_open() { return !stdin_closed(); }

// How long standard input may stay silent before bridge says it waits for it.
constexpr int k_stdin_notice_ms = 1000;

// A pipe that stays open and silent (`sleep 60 | bridge ask hi`, a CI step
// whose stdin is never closed) would look like a hang: when nothing has come
// within a moment and someone watches stderr on a terminal, say what bridge
// waits for and how to stop waiting.
void tell_if_stdin_is_slow(const Console& console) {
  if (console.quiet || ::isatty(STDERR_FILENO) != 1) {
    return;
  }
  pollfd input{STDIN_FILENO, POLLIN, 0};
  if (::poll(&input, 1, k_stdin_notice_ms) == 0) {
    console.notice("reading the prompt from standard input (Ctrl-D or closing the pipe ends it; "
                   "--no-stdin skips it)");
  }
}

// One rule for a prompt read from standard input, with '-' or without: its
// trailing line ends go (`echo data` sends "data", as `printf data` does).
std::string without_trailing_newlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

} // namespace

std::string read_stdin_text(const char* what) {
  auto text = util::read_stdin(k_max_answer);
  if (util::interrupted()) {
    throw Error(static_cast<ExitCode>(util::interrupt_exit_code()), util::interrupt_message());
  }
  if (!text) {
    throw Error(ExitCode::usage, fmt::format("{}: {}", what, text.error()));
  }
  return *text;
}

// docs/contract.md (commands): the words, joined by spaces; with standard input that is not a
// terminal, the input text, a blank line, and the words.
std::string build_prompt(const SendOptions& options, const Console& console) {
  std::string words;
  for (const auto& word : options.words) {
    words += (words.empty() ? "" : " ") + word;
  }
  bool dash = std::find(options.words.begin(), options.words.end(), "-") != options.words.end();
  if (dash && options.words.size() > 1) {
    throw Error(ExitCode::usage,
                "'-' (the prompt is standard input) must be the only word; to ask about piped "
                "text, give the question as the words: ... | bridge ask 'question'");
  }
  if (dash && options.no_stdin) {
    throw Error(ExitCode::usage,
                "'-' reads the prompt from standard input, which --no-stdin forbids");
  }
  if (dash) {
    if (!stdin_open()) {
      throw Error(ExitCode::usage, "no prompt: standard input ('-') is closed");
    }
    if (::isatty(STDIN_FILENO) == 1) {
      console.notice("reading the prompt from the terminal; end it with Ctrl-D");
    } else {
      tell_if_stdin_is_slow(console);
    }
    std::string input = without_trailing_newlines(read_stdin_text("standard input"));
    if (util::trim(input).empty()) {
      throw Error(ExitCode::usage, "no prompt: standard input ('-') was empty");
    }
    return input;
  }
  std::string input;
  if (!options.no_stdin && stdin_open() && ::isatty(STDIN_FILENO) != 1) {
    tell_if_stdin_is_slow(console);
    input = without_trailing_newlines(read_stdin_text("standard input"));
    if (util::trim(input).empty()) {
      input.clear();
      if (!util::trim(words).empty()) {
        console.detail("standard input was empty: the prompt is the words alone");
      }
    }
  }
  if (input.empty() && util::trim(words).empty()) {
    throw Error(
        ExitCode::usage,
        "no prompt: give it as words (bridge ask 'question'), or pipe text on standard input");
  }
  if (input.empty()) {
    return words;
  }
  return words.empty() ? input : input + "\n\n" + words;
}

} // namespace app
