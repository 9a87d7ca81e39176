#pragma once

#include "util/clock.hpp"
#include "util/expected.hpp"

#include <functional>
#include <memory>
#include <string>

namespace state {

// An exclusive flock(2) on a separate lock file (never the file that is
// renamed over). The kernel drops the lock when the holder dies, so a lock is
// never stale. The destructor releases the lock and closes the descriptor.
class FileLock {
public:
  // Returns true when the caller no longer needs the lock (another holder did
  // its work for it); checked between tries.
  using NoLongerNeeded = std::function<bool()>;

  // Takes the lock, waiting at most `bound`. Tries are spaced by pauses that
  // start at a tenth of a millisecond and double up to 8 ms (with jitter), so
  // a lock held briefly is taken within a fraction of a millisecond of its
  // release while a long wait costs a few hundred wake-ups, not thousands.
  //
  // The waiters are not served in order (flock has no queue that a bounded
  // wait can join without signals); the state store does not need them to
  // be: a waiter's mark is already in the journal, any later holder folds it
  // in, and `no_longer_needed` lets the waiter stop as soon as one has. On
  // success the lock is null when `no_longer_needed` said so.
  static util::Expected<std::unique_ptr<FileLock>>
  acquire(const std::string& path, util::Millis bound, const NoLongerNeeded& no_longer_needed = {});
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

private:
  explicit FileLock(int fd) : m_fd(fd) {}
  int m_fd;
};

} // namespace state
