#include "util/clock.hpp"

#include "util/interrupt.hpp"

#include <algorithm>
#include <thread>

namespace util {

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
}

bool SystemClock::sleep_for(Millis duration) {
  // A steady deadline, so that a wall-clock jump does not stretch the sleep.
  auto deadline = std::chrono::steady_clock::now() + duration;
  while (!interrupted()) {
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= left.zero()) {
      return true;
    }
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, Millis(20)));
  }
  return false;
}

} // namespace util
