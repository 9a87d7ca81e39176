// A shared library for LD_PRELOAD (tests/integration/security/core_dump.sh):
// its initializer, which the dynamic loader runs before the program's own
// constructors but after the program's .preinit_array, appends to the file
// named by BRIDGE_DUMP_PROBE_OUT one line: the program, whether it is
// dumpable, and its core-file limits (soft, hard). It shows how early a
// program turned core dumps off: before any library's initializer, or not.
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace {

__attribute__((constructor)) void report_dumpable() {
  const char* out = std::getenv("BRIDGE_DUMP_PROBE_OUT");
  if (out == nullptr) {
    return;
  }
  char exe[512] = {};
  ssize_t length = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (length < 0) {
    length = 0;
  }
  exe[length] = '\0';
  rlimit core{};
  ::getrlimit(RLIMIT_CORE, &core);
  char line[768];
  int size = std::snprintf(line, sizeof line, "%s dumpable=%d core=%llu/%llu\n", exe,
                           ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0),
                           static_cast<unsigned long long>(core.rlim_cur),
                           static_cast<unsigned long long>(core.rlim_max));
  int fd = ::open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0 && size > 0) {
    ssize_t written = ::write(fd, line, static_cast<std::size_t>(size));
    (void)written;
  }
  if (fd >= 0) {
    ::close(fd);
  }
}

} // namespace
