#pragma once

#include <chrono>

namespace util {

using Millis = std::chrono::milliseconds;
using TimePoint = std::chrono::time_point<std::chrono::system_clock, Millis>;

// The wall clock and sleeping, behind an interface so that the walker and the
// state store are tested without sleeping (ninja's disk_interface idea).
class Clock {
public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  // Sleeps for `duration`. Returns false when the sleep was cut short by an
  // interrupt (SIGINT), true otherwise.
  virtual bool sleep_for(Millis duration) = 0;
};

// The real clock: system_clock for now(), nanosleep in short slices for
// sleep_for so that Ctrl-C is noticed within a few tens of milliseconds.
class SystemClock final : public Clock {
public:
  TimePoint now() const override;
  bool sleep_for(Millis duration) override;
};

// A clock that tests set by hand; sleeping advances it at once.
class ManualClock final : public Clock {
public:
  explicit ManualClock(TimePoint start) : m_now(start) {}
  TimePoint now() const override { return m_now; }
  bool sleep_for(Millis duration) override {
    m_now += duration;
    m_slept += duration;
    return true;
  }
  void advance(Millis duration) { m_now += duration; }
  void set(TimePoint t) { m_now = t; }
  Millis slept() const { return m_slept; }

private:
  TimePoint m_now;
  Millis m_slept{0};
};

} // namespace util
