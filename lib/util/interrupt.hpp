#pragma once

namespace util {

// SIGINT handling. The handler only sets a flag; long operations (transfers,
// sleeps, reading standard input) poll it and unwind, so that the state file
// is never left half-written and the process exits 130 promptly.
void install_interrupt_handler();
bool interrupted() noexcept;

} // namespace util
