#include "upstream/rate_limits.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

using test::at;
using test::ms;
using upstream::Headers;

namespace {
const util::TimePoint k_now = at("2026-11-26T03:00:00Z");
}

TEST_CASE("parse_rate_limits: every kind, reset measured against Date") {
  Headers headers;
  headers.add("Date", "Thu, 26 Nov 2026 02:59:00 GMT"); // our clock is a minute ahead
  headers.add("anthropic-ratelimit-requests-limit", "50");
  headers.add("anthropic-ratelimit-requests-remaining", "0");
  headers.add("anthropic-ratelimit-requests-reset", "2026-11-26T02:59:07Z");
  headers.add("Anthropic-RateLimit-Input-Tokens-Limit", " 40000 ");
  headers.add("anthropic-ratelimit-input-tokens-remaining", "39500");
  headers.add("anthropic-ratelimit-input-tokens-reset", "2026-11-26T02:59:00.500Z");
  headers.add("anthropic-ratelimit-output-tokens-remaining", "12");
  auto limits = upstream::parse_rate_limits(headers, k_now);
  REQUIRE(limits.size() == 3);
  CHECK(limits[0].kind == "requests");
  CHECK(limits[0].remaining == 0);
  CHECK(limits[0].limit == 50);
  REQUIRE(limits[0].reset_in);
  CHECK(*limits[0].reset_in == ms(7'000));
  CHECK(limits[1].kind == "input_tokens");
  CHECK(limits[1].remaining == 39'500);
  CHECK(limits[1].limit == 40'000);
  CHECK(*limits[1].reset_in == ms(500));
  CHECK(limits[2].kind == "output_tokens");
  CHECK(limits[2].limit == -1);
  CHECK_FALSE(limits[2].reset_in);
}

TEST_CASE("parse_rate_limits: without Date, from now; bad values are not read") {
  Headers headers;
  headers.add("anthropic-ratelimit-tokens-remaining", "0");
  headers.add("anthropic-ratelimit-tokens-reset", "2026-11-26T03:00:04Z");
  headers.add("anthropic-ratelimit-requests-remaining", "-1");
  headers.add("anthropic-ratelimit-requests-limit", "many");
  headers.add("anthropic-ratelimit-output-tokens-remaining", "0");
  headers.add("anthropic-ratelimit-output-tokens-reset", "in a while");
  auto limits = upstream::parse_rate_limits(headers, k_now);
  REQUIRE(limits.size() == 2);
  CHECK(limits[0].kind == "tokens");
  CHECK(*limits[0].reset_in == ms(4'000));
  CHECK(limits[1].kind == "output_tokens");
  CHECK_FALSE(limits[1].reset_in);
  // A reset in the past is no delay at all.
  Headers past;
  past.add("anthropic-ratelimit-tokens-remaining", "0");
  past.add("anthropic-ratelimit-tokens-reset", "2026-11-26T02:00:00Z");
  CHECK(*upstream::parse_rate_limits(past, k_now)[0].reset_in == ms(0));
  CHECK(upstream::parse_rate_limits(Headers{}, k_now).empty());
}
