#pragma once

#include "util/clock.hpp"

namespace util {

// `ms` rounded up to a whole millisecond; `ms` must be finite and within the
// range of long long. std::ceil would do, but it is libm's: bridge calls
// nothing else of libm, and leaving libm unloaded saves every run about
// 390 KiB of resident pages (bench/README.md, 2026-12-05;
// tests/integration/cli/shared_libraries.sh keeps it so).
constexpr Millis ceil_millis(double ms) {
  auto whole = static_cast<long long>(ms); // toward zero: the ceiling when ms <= 0
  return Millis{static_cast<double>(whole) < ms ? whole + 1 : whole};
}

} // namespace util
