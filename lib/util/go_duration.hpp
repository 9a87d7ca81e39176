#pragma once

#include "util/clock.hpp"

#include <optional>
#include <string_view>

namespace util {

// Reads a duration written the way Go's time.Duration prints and parses it:
// a sequence of decimal numbers, each with an optional fraction and a unit
// (ns, us, µs, μs, ms, s, m, h), such as "1s", "6m0s", "1h2m3.5s", "20ms",
// "1.5s"; "0" alone is zero. OpenAI sends its x-ratelimit-reset-* headers in
// this form. A leading '-' (a negative duration), white space inside, a
// number without a unit, an unknown unit, or a value past Go's own limit
// (about 292 years) gives nullopt. Fractions of a millisecond are rounded up,
// so a delay is never shortened.
//
// Hand-written: no Debian C++ library reads this format, and the grammar is
// a dozen lines; the fuzz target fuzz_go_duration and the unit tests hold it
// to Go's rules.
std::optional<Millis> parse_go_duration(std::string_view text) noexcept;

} // namespace util
