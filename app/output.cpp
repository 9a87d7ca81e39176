#include "output.hpp"

#include "console.hpp"
#include "util/error.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <iostream>
#include <unistd.h>

namespace app {

namespace {

// The errno of the first failed write, 0 while none has failed. One process
// writes its answer from one thread, so a plain int is enough.
int g_stdout_errno = 0;
bool g_stdin_closed = false;
bool g_stdout_closed = false; // closed at start: the first write fails with EBADF

bool record(int error) {
  if (g_stdout_errno == 0) {
    g_stdout_errno = error != 0 ? error : EIO;
  }
  return false;
}

} // namespace

void reserve_standard_descriptors() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) {
      continue;
    }
    // open() returns the lowest free descriptor: this one.
    int opened = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (opened != fd && opened >= 0) {
      ::close(opened);
    }
    if (fd == 0) {
      g_stdin_closed = true;
    } else if (fd == 1) {
      g_stdout_closed = true;
    }
  }
}

bool stdin_closed() { return g_stdin_closed; }

bool write_stdout(std::string_view bytes) {
  if (g_stdout_closed && !bytes.empty()) {
    return record(EBADF);
  }
  if (g_stdout_errno != 0) {
    return false;
  }
  while (!bytes.empty()) {
    ssize_t n = ::write(STDOUT_FILENO, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return record(errno);
    }
    if (n == 0) {
      return record(EIO);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool stdout_failed() { return g_stdout_errno != 0; }

std::string stdout_failure_message() {
  return fmt::format("cannot write to standard output: {}; the output is incomplete",
                     std::strerror(g_stdout_errno));
}

int finish_stdout(int code) {
  std::cout.flush();
  if (!std::cout.good() && g_stdout_errno == 0) {
    record(errno);
  }
  // close() reports what some file systems only learn when the data is
  // written back. A descriptor that was never open (`>&-`) fails with EBADF
  // here only if nothing was printed; that is no loss.
  if (g_stdout_errno == 0 && ::close(STDOUT_FILENO) != 0 && errno != EBADF && errno != EINTR) {
    record(errno);
  }
  if (g_stdout_errno == 0) {
    return code;
  }
  if (g_stdout_errno == EPIPE) {
    return static_cast<int>(util::ExitCode::closed_pipe);
  }
  Console{}.error(stdout_failure_message());
  return static_cast<int>(util::ExitCode::io_error);
}

} // namespace app
