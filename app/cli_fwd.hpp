#pragma once

// CLI11's classes, declared only. A header of the command layer names
// CLI::App and CLI::Validator through this and leaves <CLI/CLI.hpp> to the
// files that call CLI11: that header defines eight validators (ExistingFile,
// Number, PositiveNumber, ...) as constants of every file that includes it,
// each built at start-up with its strings and std::functions, whether the
// file uses them or not. Included by 27 files, they cost every run 216
// constructions, their heap and a dozen page faults (bench/README.md,
// "Where the wall time of ask goes").

namespace CLI {
class App;
class Validator;
} // namespace CLI
