#pragma once

namespace app {

// Parses the command line, runs the chosen subcommand and returns the exit
// code. Every util::Error is caught here once and printed as "bridge: ...".
int bridge_main(int argc, char** argv);

} // namespace app
