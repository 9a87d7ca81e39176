#include "upstream/rate_limits.hpp"

#include "util/strings.hpp"
#include "util/time_format.hpp"

#include <algorithm>
#include <charconv>

namespace upstream {

namespace {

std::optional<long long> whole_number(std::optional<std::string_view> value) {
  if (!value) {
    return std::nullopt;
  }
  auto text = util::trim(*value);
  long long number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc{} || end != text.data() + text.size() || number < 0) {
    return std::nullopt;
  }
  return number;
}

} // namespace

std::vector<RateLimit> parse_rate_limits(const Headers& headers, util::TimePoint now) {
  struct Kind {
    const char* header;
    const char* name;
  };
  constexpr Kind k_kinds[] = {{"requests", "requests"},
                              {"tokens", "tokens"},
                              {"input-tokens", "input_tokens"},
                              {"output-tokens", "output_tokens"}};
  util::TimePoint origin = now;
  if (auto date = headers.get("date")) {
    if (auto sent = util::parse_http_date(*date)) {
      origin = *sent;
    }
  }
  std::vector<RateLimit> limits;
  for (const auto& kind : k_kinds) {
    std::string prefix = std::string("anthropic-ratelimit-") + kind.header;
    auto remaining = whole_number(headers.get(prefix + "-remaining"));
    auto limit = whole_number(headers.get(prefix + "-limit"));
    if (!remaining && !limit) {
      continue;
    }
    RateLimit reading;
    reading.kind = kind.name;
    reading.remaining = remaining.value_or(-1);
    reading.limit = limit.value_or(-1);
    if (auto reset = headers.get(prefix + "-reset")) {
      if (auto when = util::parse_rfc3339(util::trim(*reset))) {
        reading.reset_in = std::max(*when - origin, util::Millis{0});
      }
    }
    limits.push_back(std::move(reading));
  }
  return limits;
}

} // namespace upstream
