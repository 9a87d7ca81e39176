#include "state/test_hooks.hpp"

#ifdef BRIDGE_TEST_HOOKS
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>
#endif

namespace state::test_hooks {

#ifdef BRIDGE_TEST_HOOKS

namespace {
const char* variable_of(Timing kind) {
  return kind == Timing::claims ? "BRIDGE_CLAIM_TIMING" : "BRIDGE_STATE_TIMING";
}

// The file a variable names, or empty; read once, since the environment of
// a running bridge does not change.
const std::string& path_of(Timing kind) {
  static const std::string state_lock = [] {
    const char* value = std::getenv(variable_of(Timing::state_lock));
    return std::string(value ? value : "");
  }();
  static const std::string claims = [] {
    const char* value = std::getenv(variable_of(Timing::claims));
    return std::string(value ? value : "");
  }();
  return kind == Timing::claims ? claims : state_lock;
}
} // namespace

bool timing_wanted(Timing kind) { return !path_of(kind).empty(); }

void append_timing(Timing kind, const std::string& line) {
  const std::string& path = path_of(kind);
  if (path.empty()) {
    return;
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) {
    [[maybe_unused]] auto written = ::write(fd, line.data(), line.size());
    ::close(fd);
  }
}

void stop_after_lock_once() {
  static bool stopped = false;
  const char* path = std::getenv("BRIDGE_STATE_TEST_STOP");
  if (stopped || path == nullptr || *path == '\0') {
    return;
  }
  stopped = true;
  int fd = ::open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  }
  ::raise(SIGSTOP);
}

#else // A release build without the hooks: nothing is read, nothing happens.

bool timing_wanted(Timing) { return false; }
void append_timing(Timing, const std::string&) {}
void stop_after_lock_once() {}

#endif

} // namespace state::test_hooks
