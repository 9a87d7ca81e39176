#include "state/file_lock.hpp"

#include "state/path_safety.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace state {

util::Expected<std::unique_ptr<FileLock>> FileLock::acquire(const std::string& path,
                                                            util::Millis bound) {
  using Result = util::Expected<std::unique_ptr<FileLock>>;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return Result::failure(std::strerror(errno));
  }
  std::unique_ptr<FileLock> lock(new FileLock(fd));
  if (auto foreign = foreign_file_problem(fd, path)) {
    return Result::failure(*foreign); // another user's lock would never be ours to hold
  }
  std::mt19937 engine{std::random_device{}()};
  std::uniform_int_distribution<int> pause_us(200, 2000);
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return Result::failure(std::strerror(errno));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Result::failure("another bridge process held the lock for too long");
    }
    // A random pause spreads the retries of many waiting processes.
    std::this_thread::sleep_for(std::chrono::microseconds(pause_us(engine)));
  }
  return Result(std::move(lock));
}

FileLock::~FileLock() {
  ::flock(m_fd, LOCK_UN);
  ::close(m_fd);
}

} // namespace state
