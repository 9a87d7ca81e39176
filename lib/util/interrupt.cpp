#include "util/interrupt.hpp"

#include <csignal>

namespace util {

namespace {
volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_sigint(int) { g_interrupted = 1; }
} // namespace

void install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0; // no SA_RESTART: a blocking read() returns EINTR
  sigaction(SIGINT, &action, nullptr);
  // A closed stdout pipe must end the write with EPIPE, not kill us.
  std::signal(SIGPIPE, SIG_IGN);
}

bool interrupted() noexcept { return g_interrupted != 0; }

} // namespace util
