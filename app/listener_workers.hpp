#pragma once

// The threads that run the listener's requests (listener_server.hpp). A
// request goes to a worker that is waiting for one, or to a new thread when
// none waits; a worker that has answered waits for the next request (for
// k_idle_linger), so a steady flow of requests starts no thread at all:
// creating one cost about a third of the listener's time per request
// (bench/README.md, "The listener"). The number of workers is bounded by the
// server's limit of requests in flight: no more can be busy at once.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace app {

class WorkerPool {
public:
  static constexpr std::chrono::seconds k_idle_linger{30};

  WorkerPool();
  // Idle workers leave at once; busy ones finish their request first, and
  // are not waited for (a walk may wait minutes on a stalled upstream; the
  // server has given its requests their grace already).
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `job` on a worker. False, without running it, when no worker
  // waits and no thread can be started.
  bool run(std::function<void()> job);

  // Threads started so far, workers alive now, and those of them waiting
  // for a request (tests).
  std::size_t started() const;
  std::size_t alive() const;
  std::size_t idle() const;

  struct State; // shared with the workers, which may outlive the pool

private:
  std::shared_ptr<State> m_state;
};

} // namespace app
