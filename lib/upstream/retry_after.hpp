#pragma once

#include "upstream/headers.hpp"
#include "util/clock.hpp"

namespace upstream {

// The longest delay we report. Anything larger is clamped so that later
// arithmetic on time points cannot overflow (about 31 years).
inline constexpr util::Millis k_max_retry_after{1'000'000'000'000};

// The delay a response asks for (docs/contract.md, Retry-After), in milliseconds, 0 when none:
//  1. `retry-after-ms`: a decimal number of milliseconds, used when > 0;
//  2. else `Retry-After`: decimal seconds when > 0, or an HTTP-date measured
//     from the response's `Date` header when that parses, else from `now`;
//  3. else, or when the result is not positive, 0.
// Fractions of a millisecond are rounded up: a delay is never shortened.
util::Millis parse_retry_after(const Headers& headers, util::TimePoint now);

} // namespace upstream
