#include "state/file/side_file.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <random>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace state {

SideFile& SideFile::operator=(SideFile&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
    m_fd = other.m_fd;
    other.m_fd = -1;
  }
  return *this;
}

SideFile::~SideFile() {
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

bool read_side_file(int fd, std::size_t max_size, std::string& text) {
  char buffer[16384];
  std::size_t start = text.size();
  while (text.size() - start <= max_size) {
    ssize_t n = ::pread(fd, buffer, sizeof buffer, static_cast<off_t>(text.size() - start));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return false;
    }
    if (n == 0) {
      return true;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return false;
}

bool rewrite_side_file(int fd, std::string_view text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return ::ftruncate(fd, static_cast<off_t>(text.size())) == 0;
}

bool lock_side_file(int fd, util::Millis bound) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  std::minstd_rand jitter{static_cast<unsigned>(::getpid())};
  std::chrono::microseconds pause{50};
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return false;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(pause + std::chrono::microseconds(jitter() % (pause.count() + 1)));
    pause = std::min(pause * 2, std::chrono::microseconds{2000});
  }
  return true;
}

} // namespace state
