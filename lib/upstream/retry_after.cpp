#include "upstream/retry_after.hpp"

#include "util/ceil_millis.hpp"
#include "util/strings.hpp"
#include "util/time_format.hpp"

namespace upstream {

namespace {

util::Millis from_milliseconds(double ms) {
  if (!(ms > 0)) {
    return util::Millis{0};
  }
  if (ms >= static_cast<double>(k_max_retry_after.count())) {
    return k_max_retry_after;
  }
  return util::ceil_millis(ms);
}

util::Millis from_retry_after_ms(std::string_view value) {
  auto ms = util::parse_decimal(util::trim(value));
  return ms ? from_milliseconds(*ms) : util::Millis{0};
}

util::Millis from_retry_after(std::string_view value, const Headers& headers, util::TimePoint now) {
  value = util::trim(value);
  if (auto seconds = util::parse_decimal(value)) {
    return from_milliseconds(*seconds * 1000.0);
  }
  auto when = util::parse_http_date(value);
  if (!when) {
    return util::Millis{0};
  }
  util::TimePoint origin = now;
  if (auto date = headers.get("date")) {
    if (auto sent = util::parse_http_date(*date)) {
      origin = *sent;
    }
  }
  return from_milliseconds(static_cast<double>((*when - origin).count()));
}

} // namespace

util::Millis parse_retry_after(const Headers& headers, util::TimePoint now) {
  if (auto value = headers.get("retry-after-ms")) {
    if (auto delay = from_retry_after_ms(*value); delay.count() > 0) {
      return delay;
    }
  }
  if (auto value = headers.get("retry-after")) {
    return from_retry_after(*value, headers, now);
  }
  return util::Millis{0};
}

} // namespace upstream
