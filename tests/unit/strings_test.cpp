#include "util/strings.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace std::string_view_literals;

TEST_CASE("is_space: space, tab, CR and LF only") {
  for (char c : {' ', '\t', '\r', '\n'}) {
    CHECK(util::is_space(c));
  }
  for (char c : {'a', '0', '\v', '\f', '\0', '-'}) {
    CHECK_FALSE(util::is_space(c));
  }
}

TEST_CASE("trim removes white space at both ends only") {
  struct Row {
    std::string_view in, out;
  };
  for (auto row : {Row{"", ""}, Row{"   ", ""}, Row{"a", "a"}, Row{" a ", "a"},
                   Row{"\t\r\n a b \r\n", "a b"}, Row{"a  b", "a  b"}, Row{"\va\v", "\va\v"}}) {
    CAPTURE(row.in);
    CHECK(util::trim(row.in) == row.out);
  }
}

TEST_CASE("to_lower, iequals and starts_with_ci fold ASCII only") {
  CHECK(util::to_lower("Retry-After-MS") == "retry-after-ms");
  CHECK(util::to_lower("\xC3\x89") == "\xC3\x89"); // bytes of a non-ASCII letter are untouched
  CHECK(util::iequals("Retry-After", "retry-after"));
  CHECK(util::iequals("", ""));
  CHECK_FALSE(util::iequals("retry-after", "retry-afte"));
  CHECK_FALSE(util::iequals("retry-after", "retry_after"));
  // '[' (0x5B) and '{' (0x7B) differ by the ASCII case bit but are not letters.
  CHECK_FALSE(util::iequals("[", "{"));
  CHECK(util::starts_with_ci("HTTP/1.1 200 OK", "http/"));
  CHECK(util::starts_with_ci("http/", "HTTP/"));
  CHECK_FALSE(util::starts_with_ci("HTT", "HTTP/"));
  CHECK_FALSE(util::starts_with_ci("XHTTP/", "HTTP/"));
}

TEST_CASE("split_fields splits on runs of spaces and tabs, never yields empty fields") {
  struct Row {
    std::string_view in;
    std::vector<std::string_view> out;
  };
  std::vector<Row> rows = {
      {"", {}},
      {" \t ", {}},
      {"a", {"a"}},
      {"a b", {"a", "b"}},
      {"  a \t\t b  ", {"a", "b"}},
      {"a\tb c", {"a", "b", "c"}},
      {"a,b", {"a,b"}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.in);
    CHECK(util::split_fields(row.in) == row.out);
  }
}

TEST_CASE("utf8_length counts code points; invalid bytes count one each") {
  struct Row {
    std::string_view in;
    std::size_t length;
  };
  for (auto row : {Row{"", 0}, Row{"abc", 3}, Row{"\xC3\xA9", 1}, // é
                   Row{"\xE2\x82\xAC", 1},                        // €
                   Row{"\xF0\x9F\x94\x91", 1},                    // 🔑
                   Row{"a\u00e9b\u20ac", 4}, Row{"\xFF", 1}, Row{"\xFF\xFE", 2},
                   Row{"\xC3", 1},        // truncated two-byte sequence
                   Row{"\xE2\x82", 2},    // truncated three-byte sequence: two stray bytes
                   Row{"\xC3\x61", 2},    // lead byte followed by a non-continuation
                   Row{"\x80\x80", 2}}) { // stray continuation bytes
    CAPTURE(row.in);
    CHECK(util::utf8_length(row.in) == row.length);
  }
}

TEST_CASE("utf8_offset gives the byte offset of a code point") {
  std::string_view s = "a\u00e9b\u20acc"; // a é b € c
  CHECK(util::utf8_offset(s, 0) == 0);
  CHECK(util::utf8_offset(s, 1) == 1);
  CHECK(util::utf8_offset(s, 2) == 3);
  CHECK(util::utf8_offset(s, 3) == 4);
  CHECK(util::utf8_offset(s, 4) == 7);
  CHECK(util::utf8_offset(s, 5) == s.size());
  CHECK(util::utf8_offset(s, 99) == s.size());
}

TEST_CASE("parse_decimal accepts plain decimal numbers") {
  struct Row {
    std::string_view in;
    double value;
  };
  for (auto row :
       {Row{"0", 0}, Row{"3", 3}, Row{"+3", 3}, Row{"-3", -3}, Row{"2.5", 2.5}, Row{"-0.25", -0.25},
        Row{"007", 7}, Row{"1.", 1}, Row{"1234567890123", 1234567890123.0}}) {
    CAPTURE(row.in);
    auto parsed = util::parse_decimal(row.in);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == row.value);
  }
}

TEST_CASE("parse_decimal gives the double nearest to the decimal text") {
  // A value is never a few ulps off, so that rounding it up to whole
  // milliseconds cannot add a millisecond that the text did not ask for.
  for (auto text :
       {"0.3"sv, "0.1"sv, "0.7"sv, "1.1"sv, "2.675"sv, "0.123"sv, "100.3"sv, "123456.789"sv}) {
    CAPTURE(text);
    auto parsed = util::parse_decimal(text);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == std::stod(std::string(text)));
  }
}

TEST_CASE("parse_decimal rejects anything but a plain decimal number") {
  for (auto text :
       {""sv,     "+"sv,   "-"sv,   "."sv,        "+."sv,    "1e3"sv,         "1E3"sv,
        "0x10"sv, "inf"sv, "nan"sv, "Infinity"sv, " 1"sv,    "1 "sv,          "1.2.3"sv,
        "1,5"sv,  "--1"sv, "1-"sv,  "abc"sv,      "12abc"sv, "\xEF\xBC\x91"sv /* fullwidth 1 */}) {
    CAPTURE(text);
    CHECK_FALSE(util::parse_decimal(text).has_value());
  }
}

TEST_CASE("parse_decimal rejects numbers too large for a double") {
  std::string huge = "1" + std::string(400, '0');
  CHECK_FALSE(util::parse_decimal(huge).has_value());
}

TEST_CASE("format_decimal_3: shortest fixed notation with at most three decimals") {
  struct Row {
    double in;
    std::string_view out;
  };
  for (auto row :
       {Row{0, "0"}, Row{3, "3"}, Row{2.5, "2.5"}, Row{0.001, "0.001"}, Row{1.25, "1.25"},
        Row{10, "10"}, Row{1234.5678, "1234.568"}, Row{0.0004, "0"}, Row{60, "60"}}) {
    CAPTURE(row.in);
    CHECK(util::format_decimal_3(row.in) == row.out);
  }
}
