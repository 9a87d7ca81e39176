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
  // What the caller sees between tries: nothing new, progress (the holders
  // are getting work done: the bound starts again), or no need for the lock
  // any more (another holder did the caller's work).
  enum class Look { nothing_new, progress, no_longer_needed };
  using Watch = std::function<Look()>;

  // Takes the lock, waiting while it makes no progress for at most `bound`
  // (and at most k_progress_rounds bounds in all). Tries are spaced by pauses
  // that start at a tenth of a millisecond and double up to 16 ms (with
  // jitter), so a lock held briefly is taken soon after its release while
  // hundreds of waiters do not keep two cores busy waking up.
  //
  // The waiters are not served in order (flock has no queue that a bounded
  // wait can join without signals); the state store does not need them to
  // be: a waiter's mark is already in the journal, any later holder folds it
  // in, and `watch` lets the waiter stop as soon as one has. On success the
  // lock is null when `watch` said it is no longer needed.
  static util::Expected<std::unique_ptr<FileLock>>
  acquire(const std::string& path, util::Millis bound, const Watch& watch = {});
  static constexpr int k_progress_rounds = 10;
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

private:
  explicit FileLock(int fd) : m_fd(fd) {}
  int m_fd;
};

} // namespace state
