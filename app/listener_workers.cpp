#include "listener_workers.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>

namespace app {

struct WorkerPool::State {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::function<void()>> jobs; // handed over, not yet taken
  std::size_t idle = 0;                   // workers waiting for a job
  std::size_t alive = 0;
  std::size_t started = 0;
  bool stopping = false;
};

namespace {

// A worker: `first`, then whatever run() hands over, until it has waited
// k_idle_linger for nothing or the pool is gone.
void work(const std::shared_ptr<WorkerPool::State>& state, std::function<void()> first) {
  first();
  first = nullptr;
  std::unique_lock lock(state->mutex);
  for (;;) {
    ++state->idle;
    bool woken = state->ready.wait_for(lock, WorkerPool::k_idle_linger, [&] {
      return state->stopping || !state->jobs.empty();
    });
    --state->idle;
    if (!woken || state->jobs.empty()) {
      break; // lingered long enough, or the pool is gone
    }
    auto job = std::move(state->jobs.front());
    state->jobs.pop_front();
    lock.unlock();
    job();
    job = nullptr; // what the job holds goes before the next wait
    lock.lock();
  }
  --state->alive;
}

} // namespace

WorkerPool::WorkerPool() : m_state(std::make_shared<State>()) {}

WorkerPool::~WorkerPool() {
  std::lock_guard lock(m_state->mutex);
  m_state->stopping = true;
  m_state->ready.notify_all();
}

bool WorkerPool::run(std::function<void()> job) {
  std::unique_lock lock(m_state->mutex);
  if (m_state->idle > m_state->jobs.size()) {
    m_state->jobs.push_back(std::move(job));
    m_state->ready.notify_one();
    return true;
  }
  try {
    std::thread(work, m_state, std::move(job)).detach();
  } catch (const std::system_error&) {
    return false;
  }
  ++m_state->alive;
  ++m_state->started;
  return true;
}

std::size_t WorkerPool::started() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->started;
}

std::size_t WorkerPool::alive() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->alive;
}

std::size_t WorkerPool::idle() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->idle;
}

} // namespace app
