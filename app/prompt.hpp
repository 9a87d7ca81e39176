#pragma once

// The prompt of `ask` and `stream`: the words, standard input, or both.

#include "console.hpp"
#include "send_options.hpp"

#include <string>

namespace app {

// All of standard input, at most k_max_answer bytes. `what` names the input
// in messages ("standard input", "--request -"). Throws util::Error: the
// interrupt's exit code on Ctrl-C, exit 2 when the input cannot be read or
// is too large.
std::string read_stdin_text(const char* what);

// The prompt (docs/contract.md, commands): the words, joined by spaces; with
// standard input that is not a terminal, the input text, a blank line, and
// the words; with '-' alone, standard input only (a notice on a terminal).
// Text read from standard input loses its trailing line ends. When standard
// input stays silent for a moment and stderr is a terminal, a notice says
// what bridge waits for; with -v, an empty input next to words is told.
// Notices are dropped with -q. Throws util::Error (exit 2) when there is no prompt, or
// '-' is combined with other words or with --no-stdin.
std::string build_prompt(const SendOptions& options, const Console& console);

} // namespace app
