#include "upstream/retry_after.hpp"
#include "util/ceil_millis.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

using test::at;
using upstream::Headers;
using upstream::k_max_retry_after;
using upstream::parse_retry_after;

namespace {

// A Thursday; the HTTP-dates below are written relative to it.
const util::TimePoint k_now = at("2026-11-26T03:00:00Z");

Headers make(std::initializer_list<std::pair<const char*, const char*>> fields) {
  Headers headers;
  for (auto [name, value] : fields) {
    headers.add(name, value);
  }
  return headers;
}

struct Row {
  const char* what;
  std::vector<std::pair<const char*, const char*>> headers;
  long long expected_ms;
};

void check_rows(const std::vector<Row>& rows, util::TimePoint now = k_now) {
  for (const auto& row : rows) {
    Headers headers;
    for (auto [name, value] : row.headers) {
      headers.add(name, value);
    }
    std::string what = row.what;
    CAPTURE(what);
    CHECK(parse_retry_after(headers, now).count() == row.expected_ms);
  }
}

} // namespace

TEST_CASE("util::ceil_millis rounds up as std::ceil does") {
  for (double ms : {0.0, -0.0, 0.001, 0.5, 0.999, 1.0, 1.5, 100.01, 100.3, 2500.0, -0.5, -1.0, -1.5,
                    -2.999, 4503599627370495.5, 1e15 + 0.25, 1e18, -1e18}) {
    CAPTURE(ms);
    CHECK(util::ceil_millis(ms).count() == static_cast<long long>(std::ceil(ms)));
  }
  static_assert(util::ceil_millis(0.2).count() == 1);
}

TEST_CASE("retry-after-ms: decimal milliseconds, trimmed, fractions rounded up") {
  check_rows({
      {"whole", {{"retry-after-ms", "2500"}}, 2500},
      {"one", {{"retry-after-ms", "1"}}, 1},
      {"trimmed", {{"retry-after-ms", "  2500 \t"}}, 2500},
      {"fraction up", {{"retry-after-ms", "1.5"}}, 2},
      {"tiny fraction up", {{"retry-after-ms", "0.001"}}, 1},
      {"fraction just over", {{"retry-after-ms", "100.01"}}, 101},
      {"zero fraction", {{"retry-after-ms", "100.0"}}, 100},
      {"exact decimal", {{"retry-after-ms", "100.3"}}, 101},
      {"plus sign", {{"retry-after-ms", "+250"}}, 250},
      {"name case", {{"RETRY-AFTER-MS", "42"}}, 42},
      {"last value wins", {{"retry-after-ms", "10"}, {"Retry-After-Ms", "20"}}, 20},
  });
}

TEST_CASE("retry-after-ms wins over Retry-After when it is positive") {
  check_rows({
      {"ms first", {{"retry-after-ms", "1500"}, {"retry-after", "9"}}, 1500},
      {"ms after", {{"Retry-After", "9"}, {"Retry-After-Ms", "1500"}}, 1500},
  });
}

TEST_CASE("invalid, zero or negative retry-after-ms falls back to Retry-After") {
  for (auto bad :
       {"0", "0.0", "-5", "-0.5", "abc", "", "   ", "1e3", "0x10", "inf", "nan", "12ms", "1,5"}) {
    CAPTURE(std::string(bad));
    CHECK(parse_retry_after(make({{"retry-after-ms", bad}, {"retry-after", "3"}}), k_now).count() ==
          3000);
    CHECK(parse_retry_after(make({{"retry-after-ms", bad}}), k_now).count() == 0);
  }
}

TEST_CASE("Retry-After in seconds, decimal fractions accepted") {
  check_rows({
      {"whole", {{"Retry-After", "3"}}, 3000},
      {"trimmed", {{"Retry-After", "  3  "}}, 3000},
      {"name case", {{"retry-after", "3"}, {"RETRY-AFTER", "4"}}, 4000},
      {"half", {{"Retry-After", "2.5"}}, 2500},
      {"tenths", {{"Retry-After", "0.3"}}, 300},
      {"thousandths", {{"Retry-After", "1.001"}}, 1001},
      {"below a millisecond rounds up", {{"Retry-After", "0.0001"}}, 1},
      {"beyond milliseconds rounds up", {{"Retry-After", "1.0001"}}, 1001},
      {"an hour", {{"Retry-After", "3600"}}, 3'600'000},
      {"zero", {{"Retry-After", "0"}}, 0},
      {"negative", {{"Retry-After", "-3"}}, 0},
  });
}

TEST_CASE("Retry-After HTTP-date measured from the Date header when present") {
  check_rows({
      {"IMF-fixdate",
       {{"Date", "Thu, 01 Jan 2026 00:00:00 GMT"},
        {"Retry-After", "Thu, 01 Jan 2026 00:01:30 GMT"}},
       90'000},
      {"asctime, space-padded day",
       {{"Date", "Thu, 01 Jan 2026 00:00:00 GMT"}, {"Retry-After", "Thu Jan  1 00:00:45 2026"}},
       45'000},
      {"RFC 850 (both two-digit years read alike)",
       {{"Date", "Thursday, 01-Jan-26 00:00:00 GMT"},
        {"Retry-After", "Thursday, 01-Jan-26 00:00:20 GMT"}},
       20'000},
      {"Date after the header order",
       {{"Retry-After", "Thu, 01 Jan 2026 00:00:10 GMT"},
        {"date", "Thu, 01 Jan 2026 00:00:00 GMT"}},
       10'000},
      {"Date in asctime form",
       {{"Date", "Thu Jan  1 00:00:00 2026"}, {"Retry-After", "Thu, 01 Jan 2026 00:00:05 GMT"}},
       5'000},
  });
}

TEST_CASE("Retry-After HTTP-date measured from now without a usable Date header") {
  check_rows({
      {"IMF-fixdate", {{"Retry-After", "Thu, 26 Nov 2026 03:00:30 GMT"}}, 30'000},
      {"asctime", {{"Retry-After", "Thu Nov 26 03:02:00 2026"}}, 120'000},
      {"unparseable Date",
       {{"Date", "yesterday"}, {"Retry-After", "Thu, 26 Nov 2026 03:00:07 GMT"}},
       7'000},
      {"empty Date", {{"Date", ""}, {"Retry-After", "Thu, 26 Nov 2026 03:00:07 GMT"}}, 7'000},
  });
  // RFC 850 with a now near the real clock, since two-digit years are read
  // against the current century.
  auto real_now = std::chrono::time_point_cast<util::Millis>(std::chrono::system_clock::now());
  auto day = std::chrono::floor<std::chrono::days>(real_now);
  std::chrono::year_month_day date{day};
  static const char* const k_days[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday"};
  static const char* const k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02u-%s-%02d 12:00:00 GMT",
                k_days[std::chrono::weekday{day}.c_encoding()], static_cast<unsigned>(date.day()),
                k_months[static_cast<unsigned>(date.month()) - 1],
                static_cast<int>(date.year()) % 100);
  CAPTURE(std::string(text));
  auto start = util::TimePoint{day} + std::chrono::hours{11};
  CHECK(parse_retry_after(make({{"Retry-After", text}}), start).count() == 3'600'000);
}

TEST_CASE("Retry-After dates in the past, and garbage, give 0") {
  check_rows({
      {"past against Date",
       {{"Date", "Thu, 01 Jan 2026 00:01:00 GMT"},
        {"Retry-After", "Thu, 01 Jan 2026 00:00:00 GMT"}},
       0},
      {"same as Date",
       {{"Date", "Thu, 01 Jan 2026 00:00:00 GMT"},
        {"Retry-After", "Thu, 01 Jan 2026 00:00:00 GMT"}},
       0},
      {"past against now", {{"Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"}}, 0},
      {"garbage", {{"Retry-After", "soon"}}, 0},
      {"empty", {{"Retry-After", ""}}, 0},
      {"exponent", {{"Retry-After", "1e3"}}, 0},
      {"unit", {{"Retry-After", "5s"}}, 0},
      {"broken date", {{"Retry-After", "Thu, 26 Nov 2026 03:00"}}, 0},
      {"other headers only", {{"Content-Type", "application/json"}, {"X-Retry-After", "5"}}, 0},
  });
  CHECK(parse_retry_after(Headers{}, k_now).count() == 0);
}

TEST_CASE("huge delays clamp to k_max_retry_after") {
  check_rows({
      {"ms", {{"retry-after-ms", "99999999999999999999"}}, k_max_retry_after.count()},
      {"ms just over", {{"retry-after-ms", "1000000000001"}}, k_max_retry_after.count()},
      {"seconds", {{"Retry-After", "99999999999999"}}, k_max_retry_after.count()},
      {"seconds with 300 digits",
       {{"Retry-After", std::string(300, '9').c_str()}},
       k_max_retry_after.count()},
      {"far date", {{"Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT"}}, k_max_retry_after.count()},
  });
  // Just below the clamp is reported as it is.
  CHECK(parse_retry_after(make({{"retry-after-ms", "999999999999"}}), k_now).count() ==
        999'999'999'999);
}
