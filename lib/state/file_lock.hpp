#pragma once

#include "util/clock.hpp"
#include "util/expected.hpp"

#include <memory>
#include <string>

namespace state {

// An exclusive flock(2) on a separate lock file (never the file that is
// renamed over). acquire() polls with short random sleeps for at most
// `bound`; the kernel drops the lock when the holder dies, so a lock is never
// stale. The destructor releases the lock and closes the descriptor.
class FileLock {
public:
  static util::Expected<std::unique_ptr<FileLock>> acquire(const std::string& path,
                                                            util::Millis bound);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

private:
  explicit FileLock(int fd) : m_fd(fd) {}
  int m_fd;
};

} // namespace state
