#pragma once

#include "cli_fwd.hpp"
#include <string>
#include <vector>

namespace app {

// What CLI11 cannot say well on its own, settled on the raw words before it
// parses them (CLI11 would report `bridge ak hi` as "A subcommand is
// required", and `bridge --connect-timeout 3 ask` as unexpected arguments
// "3 --connect-timeout"):
//   - `bridge help [COMMAND...]` becomes `bridge [COMMAND...] --help`;
//   - a command word that is not a command (`ak`, `keys stat`) is named,
//     with the nearest command suggested;
//   - an option of a subcommand written before it is named, with where it
//     belongs;
//   - `--wait N` (N a number) becomes `--wait=N`, and a bare `--wait`
//     becomes `--wait=300`: only a number is taken as MAX, so that
//     `--wait hi` still leaves `hi` as the prompt.
// Throws util::Error (exit 2) for the errors above; returns the words for
// CLI11 (without the program name).
std::vector<std::string> prepare_arguments(const CLI::App& app, int argc, char** argv);

// The first word of the command line that is not an option nor the value of
// one of the top level's options: the command (`bridge -v --key-file F ask
// hi` -> "ask"), or "" when there is none. `app` needs only the top level's
// options.
std::string command_word(const CLI::App& app, int argc, char** argv);

// The name among `choices` nearest to `word` (edit distance, at most 2, or a
// prefix of it), or "" when none is near.
std::string nearest_name(const std::string& word, const std::vector<std::string>& choices);

// The default MAX of a bare --wait, in seconds.
inline constexpr const char* k_default_wait = "300";

} // namespace app
