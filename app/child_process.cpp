#include "child_process.hpp"

#include "console.hpp"

#include "util/printable.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <time.h>

namespace app {

namespace {

sigset_t forwarded_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings) {
    out.push_back(const_cast<char*>(s.c_str()));
  }
  out.push_back(nullptr);
  return out;
}

} // namespace

void block_forwarded_signals() {
  sigset_t set = forwarded_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int run_child(const std::vector<std::string>& argv, const std::vector<std::string>& environment) {
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // The child starts with no signal blocked and the default action for
  // those bridge handles or ignores (SIGPIPE among them).
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  sigset_t defaults = forwarded_set();
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGQUIT);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args = c_strings(argv);
  std::vector<char*> env = c_strings(environment);
  pid_t child = 0;
  int error = ::posix_spawnp(&child, args[0], nullptr, &attributes, args.data(), env.data());
  posix_spawnattr_destroy(&attributes);
  Console console;
  if (error != 0) {
    console.error(fmt::format("{}: {}", util::printable(argv[0]), std::strerror(error)));
    return error == ENOENT ? 127 : 126;
  }

  std::atomic<bool> done{false};
  std::thread forwarder([&] {
    sigset_t set = forwarded_set();
    timespec tick{0, 100'000'000};
    while (!done.load()) {
      siginfo_t info{};
      int signal = ::sigtimedwait(&set, &info, &tick);
      // A signal the kernel sent on behalf of the terminal reached the
      // whole foreground group, the child included: only those a process
      // sent to bridge are passed on.
      if (signal > 0 && info.si_code != SI_KERNEL) {
        ::kill(child, signal);
      }
    }
  });
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  done = true;
  forwarder.join();
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

} // namespace app
