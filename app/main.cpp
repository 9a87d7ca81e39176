#include "cli.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

int main(int argc, char** argv) {
  // The process holds API keys in memory (and ANTHROPIC_API_KEY in its
  // environment): no core file may be written, and no other process of the
  // same user may ptrace it or read /proc/PID/mem or /proc/PID/environ.
  // Non-dumpable does all three; a core limit of 0 also covers a kernel set
  // to dump non-dumpable processes for root (fs.suid_dumpable = 2).
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  return app::bridge_main(argc, argv);
}
