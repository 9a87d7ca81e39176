#include "cli.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

namespace {

// The process holds API keys in memory (and ANTHROPIC_API_KEY in its
// environment from the moment of exec): no core file may be written, and no
// other process of the same user may ptrace it or read /proc/PID/mem or
// /proc/PID/environ. Non-dumpable does all three; a core limit of 0 also
// covers a kernel set to dump non-dumpable processes for root
// (fs.suid_dumpable = 2).
void no_core_dumps(int, char**, char**) {
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
}

// Run from .preinit_array: the dynamic loader calls it before the
// initializers of every shared library (libcurl, OpenSSL, hiredis, libc's
// own) and of this program (its constructors, even at priority 101), as early
// as code of ours can run. What remains before it, from exec through the
// loading of the libraries, is in docs/security.md.
__attribute__((section(".preinit_array"),
               used)) void (*const k_no_core_dumps)(int, char**, char**) = no_core_dumps;

} // namespace

int main(int argc, char** argv) { return app::bridge_main(argc, argv); }
