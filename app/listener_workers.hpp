#pragma once

// The threads that run the listener's requests (listener_server.hpp). A
// request goes to a resident worker waiting for one; when none waits, a new
// resident worker is started, up to k_resident of them; beyond that the
// request gets a thread of its own, which ends with it (so 256 streams at
// once still each have a thread). A steady flow of requests therefore
// starts no thread at all: starting one cost about a third of the
// listener's time per request (bench/README.md, "The listener").
//
// Shutdown (the destructor, or stop()) wakes the resident workers that wait
// and joins them: a thread keeps per-thread state of the libraries it used
// (OpenSSL's, through libcurl) until it ends, and one still alive when the
// process exits is reported as a leak by LeakSanitizer. A worker busy with a
// request is not waited for (a walk may wait minutes on a stalled upstream;
// the server has given its requests their grace already) unless asked.

#include <cstddef>
#include <functional>
#include <memory>

namespace app {

class WorkerPool {
public:
  static constexpr std::size_t k_resident = 16;

  explicit WorkerPool(std::size_t resident = k_resident);
  // stop(Busy::leave).
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `job` on a worker. False, without running it, when no worker
  // waits and no thread can be started, or after stop().
  bool run(std::function<void()> job);

  enum class Busy {
    leave, // a busy resident worker ends after its job, unwaited for
    wait,  // ... and is joined too: only when every job is known to be ending
  };
  // Wakes and joins the resident workers that wait; the busy ones as `busy`
  // says. Threads of their own (beyond k_resident) are never waited for.
  // Later calls do nothing.
  void stop(Busy busy);

  // Resident workers started so far, and those of them waiting now (tests).
  std::size_t started() const;
  std::size_t idle() const;

  struct State; // shared with the workers, which may outlive the pool

private:
  std::shared_ptr<State> m_state;
};

} // namespace app
