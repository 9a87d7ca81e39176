#include "listener_workers.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

// The listener's worker threads (app/listener_workers.hpp): a worker that
// answered takes the next request; stopping joins the waiting workers, so
// that their per-thread state is gone before the process exits.

namespace {

// A gate the jobs wait at until the test opens it, and a count of the jobs
// that finished, which the test waits for (by condition, not by time).
struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool open = false;
  int finished = 0;

  void pass() {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return open; });
  }
  void finish() {
    std::lock_guard lock(mutex);
    ++finished;
    changed.notify_all();
  }
  void open_now() {
    std::lock_guard lock(mutex);
    open = true;
    changed.notify_all();
  }
  void wait_finished(int n) {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return finished >= n; });
  }
};

// Stands for a library's per-thread state (OpenSSL's): counts, when its
// thread ends, that it was let go of.
std::atomic<int> g_thread_states_freed{0};
struct ThreadState {
  bool made = false;
  ~ThreadState() {
    if (made) {
      ++g_thread_states_freed;
    }
  }
};
thread_local ThreadState t_state;

void wait_idle(const app::WorkerPool& pool, std::size_t n) {
  while (pool.idle() < n) {
    std::this_thread::yield();
  }
}

} // namespace

TEST_CASE("requests one after another are served by one worker") {
  app::WorkerPool pool;
  Gate gate;
  for (int i = 1; i <= 50; ++i) {
    // The worker counts itself waiting just after its job: wait for that
    // (by condition) so that the next request finds it waiting.
    wait_idle(pool, i > 1 ? 1 : 0);
    REQUIRE(pool.run([&] { gate.finish(); }));
    gate.wait_finished(i);
  }
  CHECK(pool.started() == 1);
}

TEST_CASE("stopping joins the waiting workers: their per-thread state is gone") {
  g_thread_states_freed = 0;
  app::WorkerPool pool(4);
  Gate gate;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(pool.run([&] {
      t_state.made = true;
      gate.pass();
      gate.finish();
    }));
  }
  gate.open_now();
  gate.wait_finished(3);
  wait_idle(pool, 3);
  CHECK(g_thread_states_freed == 0); // alive, waiting
  pool.stop(app::WorkerPool::Busy::leave);
  CHECK(g_thread_states_freed == 3); // stop() returned after the threads ended
  CHECK_FALSE(pool.run([] {}));      // nothing is taken after stop()
}

TEST_CASE("more requests at once than resident workers: each gets a thread, every job runs") {
  app::WorkerPool pool(2);
  Gate gate;
  constexpr int k_jobs = 8;
  for (int i = 0; i < k_jobs; ++i) {
    REQUIRE(pool.run([&] {
      gate.pass();
      gate.finish();
    }));
  }
  CHECK(pool.started() == 2); // the other six run on threads of their own
  gate.open_now();
  gate.wait_finished(k_jobs);
  CHECK(gate.finished == k_jobs);
}

TEST_CASE("a job handed over before stop() is done; a busy worker is not waited for") {
  Gate gate;
  std::atomic<bool> ran{false};
  {
    app::WorkerPool pool(1);
    REQUIRE(pool.run([&] { gate.finish(); }));
    gate.wait_finished(1);
    wait_idle(pool, 1);
    // Handed to the waiting worker, which may not have woken yet.
    REQUIRE(pool.run([&] {
      gate.pass();
      ran = true;
      gate.finish();
    }));
  } // destroyed: does not wait for the busy worker
  CHECK_FALSE(ran);
  gate.open_now();
  gate.wait_finished(2);
  CHECK(ran);
}

TEST_CASE("stop(Busy::wait) waits for the busy workers too") {
  g_thread_states_freed = 0;
  app::WorkerPool pool(2);
  Gate gate;
  std::atomic<bool> ran{false};
  REQUIRE(pool.run([&] {
    t_state.made = true;
    gate.pass();
    ran = true;
  }));
  std::thread opener([&] { gate.open_now(); });
  pool.stop(app::WorkerPool::Busy::wait);
  CHECK(ran);
  CHECK(g_thread_states_freed == 1);
  opener.join();
}
