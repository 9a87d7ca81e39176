#include "util/go_duration.hpp"

#include <doctest/doctest.h>

#include <string>

using util::Millis;
using util::parse_go_duration;

TEST_CASE("parse_go_duration reads what Go's time.Duration prints") {
  CHECK(parse_go_duration("1s") == Millis{1000});
  CHECK(parse_go_duration("6m0s") == Millis{360'000});
  CHECK(parse_go_duration("1h2m3.5s") == Millis{3'723'500});
  CHECK(parse_go_duration("20ms") == Millis{20});
  CHECK(parse_go_duration("1.5s") == Millis{1500});
  CHECK(parse_go_duration("1.001s") == Millis{1001});
  CHECK(parse_go_duration("0") == Millis{0});
  CHECK(parse_go_duration("0s") == Millis{0});
  CHECK(parse_go_duration("+2s") == Millis{2000});
  CHECK(parse_go_duration("2h") == Millis{7'200'000});
  CHECK(parse_go_duration(".5s") == Millis{500});
  CHECK(parse_go_duration("1.s") == Millis{1000});
  CHECK(parse_go_duration("1m1m") == Millis{120'000}); // Go adds repeated units
}

TEST_CASE("parse_go_duration rounds fractions of a millisecond up") {
  CHECK(parse_go_duration("1ns") == Millis{1});
  CHECK(parse_go_duration("1us") == Millis{1});
  CHECK(parse_go_duration("1500us") == Millis{2});
  CHECK(parse_go_duration("2000\xC2\xB5s") == Millis{2}); // U+00B5 micro sign
  CHECK(parse_go_duration("3000\xCE\xBCs") == Millis{3}); // U+03BC Greek mu
  CHECK(parse_go_duration("1000000ns") == Millis{1});
  CHECK(parse_go_duration("1000001ns") == Millis{2});
  CHECK(parse_go_duration("0.0001ms") == Millis{1});
}

TEST_CASE("parse_go_duration: garbage is none") {
  for (std::string text :
       {"",     " ",     "s",    "1",         "10",     "-1s", "1 s",   " 1s", "1s ",
        "1x",   "1S",    "1sec", "1.5",       ".s",     ".",   "1..5s", "abc", "1h-2m",
        "1e3s", "0x10s", "1s2",  "\xC2\xB5s", "1\xC2s", "inf", "nan",   "1,5s"}) {
    CAPTURE(text);
    CHECK_FALSE(parse_go_duration(text).has_value());
  }
}

TEST_CASE("parse_go_duration: beyond Go's limit (about 292 years) is none, just below is not") {
  CHECK(parse_go_duration("2562047h") == Millis{2'562'047LL * 3'600'000});
  CHECK_FALSE(parse_go_duration("2562048h").has_value());
  CHECK_FALSE(parse_go_duration("9223372036854775808ns").has_value());
  CHECK_FALSE(parse_go_duration("99999999999999999999999s").has_value());
  CHECK(parse_go_duration("9223372036854775807ns").has_value());
  CHECK_FALSE(parse_go_duration("2562047h2562047h").has_value());
}
