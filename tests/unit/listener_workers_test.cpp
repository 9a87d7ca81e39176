#include "listener_workers.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

// The listener's worker threads (app/listener_workers.hpp): a worker that
// answered takes the next request instead of a new thread being started.

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

} // namespace

TEST_CASE("requests one after another are served by one worker") {
  app::WorkerPool pool;
  Gate gate;
  gate.open_now();
  for (int i = 1; i <= 50; ++i) {
    // The worker counts itself idle just after its job: wait for that (by
    // condition) so that the next request finds it waiting.
    while (i > 1 && pool.idle() == 0) {
      std::this_thread::yield();
    }
    REQUIRE(pool.run([&] { gate.finish(); }));
    gate.wait_finished(i);
  }
  CHECK(pool.started() == 1);
  CHECK(pool.alive() == 1);
}

TEST_CASE("requests at once get a worker each, and every job runs") {
  app::WorkerPool pool;
  Gate gate;
  constexpr int k_jobs = 8;
  for (int i = 0; i < k_jobs; ++i) {
    REQUIRE(pool.run([&] {
      gate.pass();
      gate.finish();
    }));
  }
  CHECK(pool.started() == k_jobs); // all eight wait at the gate at once
  gate.open_now();
  gate.wait_finished(k_jobs);
  CHECK(gate.finished == k_jobs);
}

TEST_CASE("the pool can go while a worker is still busy") {
  Gate gate;
  std::atomic<bool> ran{false};
  {
    app::WorkerPool pool;
    REQUIRE(pool.run([&] {
      gate.pass();
      ran = true;
      gate.finish();
    }));
  } // destroyed: does not wait for the busy worker
  gate.open_now();
  gate.wait_finished(1);
  CHECK(ran);
}
