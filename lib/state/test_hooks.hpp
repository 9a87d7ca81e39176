#pragma once

#include <string>

// The only place where the state layer reads test and measurement hooks from
// the environment (docs/state.md, "Test hooks"). The integration tests use
// them to stop a process while it holds the state file's lock and to time
// the lock and the claims ledger under load. A build configured with
// -DBRIDGE_TEST_HOOKS=OFF compiles every function here to a no-op, so that a
// release binary reads none of these variables.
namespace state::test_hooks {

// One kind of timing line, and the variable naming the file it goes to.
enum class Timing {
  state_lock, // BRIDGE_STATE_TIMING: one line per update of the state file
  claims,     // BRIDGE_CLAIM_TIMING: one line per update of the claims ledger
};

// Whether lines of `kind` are wanted at all (read once per process), so that
// a caller formats a line only when it goes somewhere.
bool timing_wanted(Timing kind);

// Appends `line` to the file its variable names, in one O_APPEND write so
// that the lines of concurrent processes do not interleave. Failures are
// ignored: a measurement never fails a request.
void append_timing(Timing kind, const std::string& line);

// BRIDGE_STATE_TEST_STOP=FILE: the first call in a process creates FILE and
// stops the process (SIGSTOP), so that a test can hold the state file's lock
// with a truly stuck bridge and resume or kill it later. Later calls, and
// every call without the variable, do nothing.
void stop_after_lock_once();

} // namespace state::test_hooks
