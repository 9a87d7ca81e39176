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
#include <unistd.h>

namespace app {

using util::Error;
using util::ExitCode;

namespace {

// Whether standard input is open at all: `bridge ask hi <&-` closes it, and a
// closed input is no input, not an error.
bool stdin_open() { return !stdin_closed(); }

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
std::string build_prompt(const SendOptions& options, bool quiet) {
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
    if (::isatty(STDIN_FILENO) == 1 && !quiet) {
      Console{}.notice("reading the prompt from the terminal; end it with Ctrl-D");
    }
    std::string input = read_stdin_text("standard input");
    if (util::trim(input).empty()) {
      throw Error(ExitCode::usage, "no prompt: standard input ('-') was empty");
    }
    return input;
  }
  std::string input;
  if (!options.no_stdin && stdin_open() && ::isatty(STDIN_FILENO) != 1) {
    input = read_stdin_text("standard input");
    while (!input.empty() && (input.back() == '\n' || input.back() == '\r')) {
      input.pop_back();
    }
    if (util::trim(input).empty()) {
      input.clear();
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
