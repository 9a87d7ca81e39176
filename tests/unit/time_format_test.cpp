#include "util/time_format.hpp"

#include "test_support.hpp"

#include <chrono>
#include <cstdio>
#include <doctest/doctest.h>
#include <string>

using namespace std::chrono;
using namespace std::string_view_literals;
using test::at;
using test::ms;

namespace {

util::TimePoint utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0,
                    int milli = 0) {
  return time_point_cast<util::Millis>(sys_days{year{y} / month{mo} / day{d}} + hours{h} +
                                       minutes{mi} + seconds{s} + milliseconds{milli});
}

int current_year() {
  return static_cast<int>(year_month_day{floor<days>(system_clock::now())}.year());
}

} // namespace

TEST_CASE("format_rfc3339 writes UTC with milliseconds") {
  CHECK(util::format_rfc3339(util::TimePoint{}) == "1970-01-01T00:00:00.000Z");
  CHECK(util::format_rfc3339(utc(2026, 11, 26, 2, 53, 25, 123)) == "2026-11-26T02:53:25.123Z");
  CHECK(util::format_rfc3339(utc(2000, 2, 29, 23, 59, 59, 999)) == "2000-02-29T23:59:59.999Z");
  CHECK(util::format_rfc3339(utc(9999, 12, 31, 0, 0, 0, 7)) == "9999-12-31T00:00:00.007Z");
}

TEST_CASE("RFC 3339 round trip") {
  for (auto t :
       {util::TimePoint{}, utc(2026, 11, 26, 2, 53, 25, 123), utc(2024, 2, 29, 12, 0, 0, 1),
        utc(2038, 1, 19, 3, 14, 8, 500), utc(2100, 12, 31, 23, 59, 59, 999)}) {
    auto text = util::format_rfc3339(t);
    CAPTURE(text);
    auto back = util::parse_rfc3339(text);
    REQUIRE(back.has_value());
    CHECK(*back == t);
  }
}

TEST_CASE("parse_rfc3339 accepts no fraction, short fractions, offsets and lower case") {
  struct Row {
    std::string_view text;
    util::TimePoint expected;
  };
  for (auto row : {
           Row{"2026-11-26T02:53:25Z", utc(2026, 11, 26, 2, 53, 25)},
           Row{"2026-11-26T02:53:25.5Z", utc(2026, 11, 26, 2, 53, 25, 500)},
           Row{"2026-11-26T02:53:25.12Z", utc(2026, 11, 26, 2, 53, 25, 120)},
           Row{"2026-11-26t02:53:25z", utc(2026, 11, 26, 2, 53, 25)},
           Row{"2026-11-26 02:53:25Z", utc(2026, 11, 26, 2, 53, 25)},
           Row{"2026-11-26T04:53:25+02:00", utc(2026, 11, 26, 2, 53, 25)},
           Row{"2026-11-25T21:23:25.250-05:30", utc(2026, 11, 26, 2, 53, 25, 250)},
           Row{"2026-11-26T02:53:25+00:00", utc(2026, 11, 26, 2, 53, 25)},
       }) {
    CAPTURE(row.text);
    auto parsed = util::parse_rfc3339(row.text);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == row.expected);
  }
}

TEST_CASE("parse_rfc3339 rejects malformed and impossible times") {
  for (auto text : {""sv, "garbage"sv, "2026-11-26"sv, "2026-11-26T02:53:25"sv /* no zone */,
                    "2026-11-26T02:53:25.Z"sv, "2026-13-01T00:00:00Z"sv, "2026-00-01T00:00:00Z"sv,
                    "2026-02-30T00:00:00Z"sv, "2025-02-29T00:00:00Z"sv, "2026-01-01T24:00:00Z"sv,
                    "2026-01-01T00:60:00Z"sv, "2026-1-01T00:00:00Z"sv, "2026-01-01T00:00:00Zjunk"sv,
                    "2026-01-01T00:00:00+0200"sv, "Sun, 06 Nov 1994 08:49:37 GMT"sv}) {
    CAPTURE(text);
    CHECK_FALSE(util::parse_rfc3339(text).has_value());
  }
}

TEST_CASE("parse_http_date: the three forms of RFC 9110 give the same time") {
  auto expected = utc(1994, 11, 6, 8, 49, 37);
  for (auto text : {"Sun, 06 Nov 1994 08:49:37 GMT"sv,  // IMF-fixdate
                    "Sunday, 06-Nov-94 08:49:37 GMT"sv, // RFC 850
                    "Sun Nov  6 08:49:37 1994"sv,       // asctime, day padded with a space
                    "  Sun, 06 Nov 1994 08:49:37 GMT \r\n"sv}) {
    CAPTURE(text);
    auto parsed = util::parse_http_date(text);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == expected);
  }
}

TEST_CASE("parse_http_date: every month and two-digit asctime days") {
  const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (unsigned m = 1; m <= 12; ++m) {
    std::string imf = std::string("Mon, 15 ") + months[m - 1] + " 2029 10:20:30 GMT";
    CAPTURE(imf);
    auto parsed = util::parse_http_date(imf);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == utc(2029, m, 15, 10, 20, 30));
  }
  auto asctime = util::parse_http_date("Thu Nov 26 03:00:00 2026");
  REQUIRE(asctime.has_value());
  CHECK(*asctime == utc(2026, 11, 26, 3, 0, 0));
  auto padded = util::parse_http_date("Tue Dec  1 00:00:01 2026");
  REQUIRE(padded.has_value());
  CHECK(*padded == utc(2026, 12, 1, 0, 0, 1));
}

TEST_CASE("parse_http_date: RFC 850 two-digit years are at most 50 years ahead") {
  // RFC 9110 §5.6.7: a two-digit year that appears to be more than 50 years
  // in the future is the most recent past year with those digits.
  int now_year = current_year();
  auto rfc850 = [](int y) {
    char text[64];
    std::snprintf(text, sizeof text, "Monday, 01-Jan-%02d 00:00:00 GMT", y % 100);
    return std::string(text);
  };
  struct Row {
    int year_written;
    int year_meant;
  };
  for (auto row : {Row{now_year, now_year}, Row{now_year - 1, now_year - 1},
                   Row{now_year + 1, now_year + 1}, Row{now_year + 50, now_year + 50},
                   Row{now_year + 51, now_year - 49}, Row{now_year + 99, now_year - 1}}) {
    auto text = rfc850(row.year_written);
    CAPTURE(text);
    auto parsed = util::parse_http_date(text);
    REQUIRE(parsed.has_value());
    CHECK(year_month_day{floor<days>(*parsed)}.year() == year{row.year_meant});
  }
}

TEST_CASE("parse_http_date rejects malformed dates") {
  for (auto text : {""sv,
                    "garbage"sv,
                    "1994-11-06T08:49:37Z"sv,
                    "Sun, 06 Nov 1994 08:49:37 UTC"sv, // only GMT
                    "Sun, 6 Nov 1994 08:49:37 GMT"sv,  // IMF-fixdate needs two-digit days
                    "Sun, 06 Nov 94 08:49:37 GMT"sv,   // and four-digit years
                    "Sun, 31 Feb 1994 08:49:37 GMT"sv, // no such day
                    "Sun, 06 Nov 1994 25:49:37 GMT"sv, // no such hour
                    "Sun, 06 Nov 1994 08:61:37 GMT"sv, // no such minute
                    "Sun, 06 Nov 1994 08:49 GMT"sv,    // no seconds
                    "Xyz, 06 Nov 1994 08:49:37 GMT"sv, // no such day name
                    "Sun, 06 Foo 1994 08:49:37 GMT"sv, // no such month
                    "Sun, 06 nov 1994 08:49:37 GMT"sv, // month names are case-sensitive
                    "Sun, 06 Nov 1994 08:49:37 GMT junk"sv,
                    "Sun 06 Nov 1994 08:49:37 GMT"sv,
                    "Sunday, 06-Nov-1994 08:49:37 GMT"sv, // RFC 850 has two-digit years
                    "Sun, 06-Nov-94 08:49:37 GMT"sv,      // and long day names
                    "Sunday, 06-Nov-94 08:49:37"sv,
                    "Sun Nov  6 08:49:37 94"sv,
                    "Sun Nov  6 08:49:37 1994 GMT"sv,
                    "Sun Nov 32 08:49:37 1994"sv}) {
    CAPTURE(text);
    CHECK_FALSE(util::parse_http_date(text).has_value());
  }
}

TEST_CASE("format_delay rounds up to whole seconds and reads like a person") {
  struct Row {
    long long millis;
    std::string_view text;
  };
  for (auto row : {Row{0, "0s"},
                   Row{1, "1s"},
                   Row{999, "1s"},
                   Row{1000, "1s"},
                   Row{1001, "2s"},
                   Row{3000, "3s"},
                   Row{59'000, "59s"},
                   Row{59'001, "1m00s"},
                   Row{60'000, "1m00s"},
                   Row{125'000, "2m05s"},
                   Row{3'599'000, "59m59s"},
                   Row{3'600'000, "1h00m"},
                   Row{3'600'001, "1h01m"},
                   Row{3'720'000, "1h02m"},
                   Row{90'000'000, "25h00m"},
                   Row{-5000, "0s"},
                   Row{-1, "0s"},
                   Row{-999, "0s"},
                   Row{-1000, "0s"},
                   Row{9'001, "10s"},
                   Row{10'000, "10s"},
                   Row{600'000, "10m00s"},
                   Row{609'999, "10m10s"},
                   Row{3'599'001, "1h00m"},
                   Row{3'659'000, "1h01m"},
                   Row{35'999'000, "10h00m"},
                   Row{36'000'001, "10h01m"},
                   Row{2'592'000'000, "720h00m"},
                   Row{2'591'700'000, "719h55m"},
                   Row{360'000'000'000, "100000h00m"},
                   Row{9'223'372'036'854'000'000, "2562047788015h00m"}}) {
    CAPTURE(row.millis);
    CHECK(util::format_delay(ms(row.millis)) == row.text);
  }
}
