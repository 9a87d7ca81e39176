#pragma once

#include "upstream/headers.hpp"
#include "util/clock.hpp"

#include <optional>
#include <string>
#include <vector>

namespace upstream {

// One kind of limit from the `anthropic-ratelimit-KIND-remaining`, `-limit`
// and `-reset` headers of a response, for KIND in requests, tokens,
// input-tokens and output-tokens. `kind` is written with underscores
// (input_tokens), as it is stored and shown.
struct RateLimit {
  std::string kind;
  long long remaining = -1; // -1: not sent, or not a whole number
  long long limit = -1;
  // The time from the response until the limit is replenished: the `-reset`
  // time (RFC 3339) less the response's `Date` when that parses, else less
  // `now`. Not negative.
  std::optional<util::Millis> reset_in;
};

// The kinds a response reported (remaining or limit sent), in the order above.
std::vector<RateLimit> parse_rate_limits(const Headers& headers, util::TimePoint now);

} // namespace upstream
