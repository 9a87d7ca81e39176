#include "util/go_duration.hpp"

#include <cstdint>

namespace util {

namespace {

// Nanoseconds per unit, or 0 when `unit` is not one.
std::uint64_t unit_nanoseconds(std::string_view unit) noexcept {
  if (unit == "ns") {
    return 1;
  }
  // "us", U+00B5 MICRO SIGN + s, and U+03BC GREEK SMALL LETTER MU + s.
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
    return 1'000;
  }
  if (unit == "ms") {
    return 1'000'000;
  }
  if (unit == "s") {
    return 1'000'000'000;
  }
  if (unit == "m") {
    return 60'000'000'000;
  }
  if (unit == "h") {
    return 3'600'000'000'000;
  }
  return 0;
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

} // namespace

std::optional<Millis> parse_go_duration(std::string_view s) noexcept {
  // Go's own limit: the largest int64 number of nanoseconds. Integers, as Go
  // computes, so that "1.001s" is exactly 1001 ms.
  constexpr std::uint64_t k_max = 9223372036854775807ULL;
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
  }
  if (s == "0") {
    return Millis{0};
  }
  if (s.empty()) {
    return std::nullopt;
  }
  std::uint64_t total = 0; // nanoseconds
  while (!s.empty()) {
    // The number: digits, then optionally '.' and digits; at least one digit.
    std::size_t i = 0;
    std::uint64_t whole = 0;
    while (i < s.size() && is_digit(s[i])) {
      auto digit = static_cast<std::uint64_t>(s[i] - '0');
      if (whole > (k_max - digit) / 10) {
        return std::nullopt;
      }
      whole = whole * 10 + digit;
      ++i;
    }
    bool whole_digits = i > 0;
    bool fraction_digits = false;
    std::uint64_t fraction = 0;
    double scale = 1.0;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && is_digit(s[i])) {
        // Digits past what 63 bits hold change nothing that can be measured.
        if (fraction <= (k_max - 9) / 10) {
          fraction = fraction * 10 + static_cast<std::uint64_t>(s[i] - '0');
          scale *= 10.0;
        }
        fraction_digits = true;
        ++i;
      }
    }
    if (!whole_digits && !fraction_digits) {
      return std::nullopt;
    }
    // The unit: everything up to the next digit or '.'.
    std::size_t unit_end = i;
    while (unit_end < s.size() && !is_digit(s[unit_end]) && s[unit_end] != '.') {
      ++unit_end;
    }
    std::uint64_t unit = unit_nanoseconds(s.substr(i, unit_end - i));
    if (unit == 0 || whole > k_max / unit) {
      return std::nullopt;
    }
    std::uint64_t value = whole * unit;
    if (fraction > 0) {
      value += static_cast<std::uint64_t>(static_cast<double>(fraction) *
                                          (static_cast<double>(unit) / scale));
    }
    if (value > k_max || total > k_max - value) {
      return std::nullopt;
    }
    total += value;
    s.remove_prefix(unit_end);
  }
  return Millis{static_cast<long long>((total + 999'999) / 1'000'000)};
}

} // namespace util
