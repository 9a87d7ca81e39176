#pragma once

namespace util {

// SIGINT and SIGTERM handling. The handler only records the signal; long
// operations (transfers, sleeps, reading standard input) poll interrupted()
// and unwind, so that the state file is never left half-written and the
// process exits promptly: 130 after SIGINT, 143 after SIGTERM (a cancelled
// CI job), the statuses a shell shows for a death by those signals.
void install_interrupt_handler();
bool interrupted() noexcept;

// After interrupted(): "interrupted" (SIGINT) or "terminated" (SIGTERM).
const char* interrupt_message() noexcept;
// After interrupted(): 130 (SIGINT) or 143 (SIGTERM).
int interrupt_exit_code() noexcept;

} // namespace util
