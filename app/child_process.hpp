#pragma once

// The command `bridge exec` runs: started with an environment of our
// making, in bridge's own process group (so that it stays in the
// terminal's foreground, with its job control, as if it ran alone), the
// signals sent to bridge forwarded to it, and its status returned in the
// shell's terms.

#include <string>
#include <vector>

namespace app {

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread and every thread
// it starts afterwards, so that one thread (run_child's) receives them.
// Call before starting any thread.
void block_forwarded_signals();

// Runs `argv` (searched in PATH) with exactly `environment` ("NAME=value"),
// forwards SIGINT, SIGTERM and SIGHUP sent to bridge by a process (a signal
// from the terminal reaches the child by itself, being in the same process
// group), and waits for it. Returns its exit status, 128+N when signal N
// killed it, 127 when COMMAND is not found, 126 when it cannot be run
// (with a message on stderr, as a shell prints).
int run_child(const std::vector<std::string>& argv, const std::vector<std::string>& environment);

} // namespace app
