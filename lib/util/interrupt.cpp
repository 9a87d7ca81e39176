#include "util/interrupt.hpp"

#include <csignal>

namespace util {

namespace {
// The first signal received, 0 before any.
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_signal(int signal) {
  if (g_signal == 0) {
    g_signal = signal;
  }
}
} // namespace

void install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0; // no SA_RESTART: a blocking read() returns EINTR
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // A closed stdout pipe must end the write with EPIPE, not kill us: the
  // output layer then stops quietly with the status of a SIGPIPE death.
  std::signal(SIGPIPE, SIG_IGN);
}

bool interrupted() noexcept { return g_signal != 0; }

const char* interrupt_message() noexcept {
  return g_signal == SIGTERM ? "terminated" : "interrupted";
}

int interrupt_exit_code() noexcept { return g_signal == SIGTERM ? 143 : 130; }

} // namespace util
