#include "state/file/file_lock.hpp"

#include "state/file/path_safety.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace state {

namespace {
constexpr std::chrono::microseconds k_first_pause{100};
constexpr std::chrono::microseconds k_longest_pause{16000};
} // namespace

util::Expected<std::unique_ptr<FileLock>>
FileLock::acquire(const std::string& path, util::Millis bound, const Watch& watch) {
  using Result = util::Expected<std::unique_ptr<FileLock>>;
  // Not a regular file of ours (a FIFO, another user's lock, which would
  // never be ours to hold): refused.
  std::string problem;
  int fd = open_side_file(path, O_RDWR | O_CREAT, problem);
  if (fd < 0) {
    return Result::failure(problem);
  }
  std::unique_ptr<FileLock> lock(new FileLock(fd));
  std::minstd_rand engine{static_cast<unsigned>(::getpid())};
  auto pause = k_first_pause;
  auto start = std::chrono::steady_clock::now();
  auto last_resort = start + bound * k_progress_rounds;
  auto deadline = start + bound;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return Result::failure(std::strerror(errno));
    }
    Look look = watch ? watch() : Look::nothing_new;
    if (look == Look::no_longer_needed) {
      ::close(lock->m_fd);
      lock->m_fd = -1;
      return Result(std::unique_ptr<FileLock>{});
    }
    auto now = std::chrono::steady_clock::now();
    if (look == Look::progress) {
      deadline = std::min(now + bound, last_resort);
    }
    if (now >= deadline) {
      return Result::failure("another bridge process held the lock for too long");
    }
    // Between half and all of the current pause: the jitter keeps processes
    // that started together from retrying in lockstep.
    std::uniform_int_distribution<long> spread(pause.count() / 2, pause.count());
    auto sleep = std::chrono::microseconds(spread(engine));
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now);
    std::this_thread::sleep_for(std::min(sleep, left));
    pause = std::min(pause * 2, k_longest_pause);
  }
  return Result(std::move(lock));
}

FileLock::~FileLock() {
  if (m_fd >= 0) {
    ::flock(m_fd, LOCK_UN);
    ::close(m_fd);
  }
}

} // namespace state
