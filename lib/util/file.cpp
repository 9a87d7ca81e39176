#include "util/file.hpp"

#include "util/interrupt.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace util {

namespace {

// Closes a descriptor when it goes out of scope.
class FdGuard {
public:
  explicit FdGuard(int fd) : m_fd(fd) {}
  ~FdGuard() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return m_fd; }

private:
  int m_fd;
};

} // namespace

Expected<FileContent> read_small_file(const std::string& path, std::size_t max_size,
                                      bool follow_links) {
  FdGuard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
                                      (follow_links ? 0 : O_NOFOLLOW)));
  if (fd.get() < 0) {
    return Expected<FileContent>::failure(std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return Expected<FileContent>::failure(std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    return Expected<FileContent>::failure("it is a directory");
  }
  if (!S_ISREG(st.st_mode)) {
    return Expected<FileContent>::failure("it is not a regular file");
  }
  if (static_cast<std::size_t>(st.st_size) > max_size) {
    return Expected<FileContent>::failure(
        fmt::format("it is {} bytes, more than the {} bytes allowed", st.st_size, max_size));
  }
  FileContent content;
  content.mode = st.st_mode;
  content.owner = st.st_uid;
  content.data.resize(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (true) {
    if (done == content.data.size()) {
      // The file may have grown since fstat; read on to its real end.
      if (content.data.size() >= max_size + 1) {
        return Expected<FileContent>::failure("it is larger than allowed");
      }
      content.data.resize(std::min(max_size + 1, content.data.size() + 4096));
    }
    ssize_t n = ::read(fd.get(), content.data.data() + done, content.data.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return Expected<FileContent>::failure(std::strerror(errno));
    }
    if (n == 0) {
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (done > max_size) {
    return Expected<FileContent>::failure("it is larger than allowed");
  }
  content.data.resize(done);
  return content;
}

Expected<std::string> read_stdin(std::size_t max_size) {
  std::string data;
  char buffer[65536];
  while (!interrupted()) {
    ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return Expected<std::string>::failure(std::strerror(errno));
    }
    if (n == 0) {
      break;
    }
    if (data.size() + static_cast<std::size_t>(n) > max_size) {
      return Expected<std::string>::failure(
          fmt::format("standard input is larger than {} bytes", max_size));
    }
    data.append(buffer, static_cast<std::size_t>(n));
  }
  return data;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

} // namespace util
