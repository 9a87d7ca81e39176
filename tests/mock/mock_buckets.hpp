// Request buckets per (key, model), refilled continuously, as Anthropic
// enforces its rate limits: the "buckets" mode of the mock, used by the
// pool-capacity benchmark and the proactive-mark tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mock {

class buckets {
public:
  // `requests` fit in a bucket; it refills at `requests` per `per_ms`.
  buckets(std::int64_t requests, std::int64_t per_ms) : m_capacity(requests), m_per_ms(per_ms) {}

  struct verdict {
    bool allowed = false;
    std::int64_t limit = 0;
    std::int64_t remaining = 0;  // whole requests left after this one
    std::int64_t full_in_ms = 0; // until the bucket is full again
    std::int64_t next_in_ms = 0; // refused: until one request is back
  };

  // Takes one request from the bucket of (key, model), if there is one.
  verdict take(const std::string& key, const std::string& model);

  // Every take so far, for a benchmark to see where a pool's capacity went
  // (GET /__mock/buckets): {"per_ms": rate per ms, "takes": [[unix ms, key,
  // model, tokens before the take (refilled to that moment), allowed 0/1],
  // ...]}. A bucket is made full at its first take.
  nlohmann::ordered_json trace();

private:
  using clock = std::chrono::steady_clock;
  struct level {
    double tokens;
    clock::time_point at;
  };
  const std::int64_t m_capacity;
  const std::int64_t m_per_ms;
  std::mutex m_mutex;
  std::map<std::string, level> m_levels;
  nlohmann::ordered_json m_takes = nlohmann::ordered_json::array();
};

// "2026-11-26T03:00:07.250Z": now plus `ms`, in RFC 3339 UTC.
std::string rfc3339_in(std::int64_t ms);

// "Sun, 29 Nov 2026 10:00:00 GMT": now as an HTTP Date header, in whole
// seconds (the fraction dropped), as every real server sends it.
std::string http_date_now();

} // namespace mock
