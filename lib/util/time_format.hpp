#pragma once

#include "util/clock.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace util {

// RFC 3339 in UTC with milliseconds: "2026-11-26T02:53:25.123Z".
std::string format_rfc3339(TimePoint t);
// Accepts what format_rfc3339 writes, with or without the fraction, and a
// numeric offset instead of Z.
std::optional<TimePoint> parse_rfc3339(std::string_view text);

// An HTTP-date of RFC 9110 §5.6.7 in any of its three forms: IMF-fixdate
// ("Sun, 06 Nov 1994 08:49:37 GMT"), obsolete RFC 850 ("Sunday, 06-Nov-94
// 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994").
std::optional<TimePoint> parse_http_date(std::string_view text);

// "3s", "2m05s", "1h02m": a human reading of a delay, rounded up to seconds.
std::string format_delay(Millis delay);

} // namespace util
