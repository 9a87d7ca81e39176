#include "listener_workers.hpp"

#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace app {

namespace {

// A resident worker: its thread, and the job handed to it (empty while it
// waits). Shared by the pool's state and the thread itself.
struct Worker {
  std::thread thread;
  std::condition_variable wake;
  std::function<void()> job;
};

} // namespace

struct WorkerPool::State {
  explicit State(std::size_t most) : resident(most) {}

  const std::size_t resident;
  mutable std::mutex mutex;
  std::vector<std::shared_ptr<Worker>> workers; // every resident worker started
  std::vector<Worker*> waiting;                 // those with no job, waiting for one
  bool stopping = false;
};

namespace {

// The life of a resident worker: its first job, then each one handed to it,
// until the pool stops.
void serve(const std::shared_ptr<WorkerPool::State>& state, const std::shared_ptr<Worker>& self) {
  std::unique_lock lock(state->mutex);
  for (;;) {
    self->wake.wait(lock, [&] { return self->job || state->stopping; });
    if (!self->job) {
      return; // stopping, and nothing handed over
    }
    auto job = std::move(self->job);
    self->job = nullptr;
    lock.unlock();
    job();
    job = nullptr; // what the job holds goes before the next wait
    lock.lock();
    if (state->stopping) {
      return;
    }
    state->waiting.push_back(self.get());
  }
}

} // namespace

WorkerPool::WorkerPool(std::size_t resident) : m_state(std::make_shared<State>(resident)) {}

WorkerPool::~WorkerPool() { stop(Busy::leave); }

bool WorkerPool::run(std::function<void()> job) {
  std::unique_lock lock(m_state->mutex);
  if (m_state->stopping) {
    return false;
  }
  if (!m_state->waiting.empty()) {
    Worker* worker = m_state->waiting.back();
    m_state->waiting.pop_back();
    worker->job = std::move(job);
    // Woken after the lock is let go, so that the worker does not wake only
    // to wait for it (a worker lives as long as the pool's state).
    lock.unlock();
    worker->wake.notify_one();
    return true;
  }
  try {
    if (m_state->workers.size() < m_state->resident) {
      auto worker = std::make_shared<Worker>();
      worker->job = std::move(job);
      worker->thread = std::thread(serve, m_state, worker);
      m_state->workers.push_back(std::move(worker));
    } else {
      std::thread(std::move(job)).detach(); // a thread of its own, ending with the job
    }
  } catch (const std::system_error&) {
    return false;
  }
  return true;
}

void WorkerPool::stop(Busy busy) {
  std::vector<std::thread> joined;
  {
    std::lock_guard lock(m_state->mutex);
    if (m_state->stopping) {
      return;
    }
    m_state->stopping = true;
    for (auto& worker : m_state->workers) {
      bool waits = false;
      for (Worker* w : m_state->waiting) {
        waits = waits || w == worker.get();
      }
      worker->wake.notify_one();
      if (waits || busy == Busy::wait) {
        joined.push_back(std::move(worker->thread));
      } else {
        worker->thread.detach(); // ends after its job (it sees `stopping`)
      }
    }
    m_state->waiting.clear();
  }
  for (auto& thread : joined) {
    thread.join();
  }
}

std::size_t WorkerPool::started() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->workers.size();
}

std::size_t WorkerPool::idle() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->waiting.size();
}

} // namespace app
