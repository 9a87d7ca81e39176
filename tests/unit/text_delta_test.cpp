// decode_text_delta reads events with simdjson On-Demand and leaves what
// simdjson refuses to the full nlohmann parser; both must give the same answer.
#include "upstream/text_delta.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using upstream::decode_text_delta;
using upstream::decode_text_delta_slow;
using upstream::DeltaKind;

namespace {

const char* kind_name(DeltaKind kind) {
  switch (kind) {
  case DeltaKind::text:
    return "text";
  case DeltaKind::other:
    return "other";
  case DeltaKind::malformed:
    return "malformed";
  }
  return "?";
}

std::string usual(const std::string& json_string_body, const std::string& index = "0") {
  return R"({"type":"content_block_delta","index":)" + index +
         R"(,"delta":{"type":"text_delta","text":")" + json_string_body + "\"}}";
}

// Empty when the fast and the slow path agree.
std::string disagreement(std::string_view data) {
  std::string fast_text = "unset";
  std::string slow_text = "unset";
  auto fast = decode_text_delta(data, fast_text);
  auto slow = decode_text_delta_slow(data, slow_text);
  if (fast != slow) {
    return std::string("kind: fast ") + kind_name(fast) + ", slow " + kind_name(slow);
  }
  if (fast == DeltaKind::text && fast_text != slow_text) {
    return "text: fast '" + fast_text + "', slow '" + slow_text + "'";
  }
  return {};
}

} // namespace

TEST_CASE("decode_text_delta: known answers") {
  struct Row {
    std::string data;
    DeltaKind kind;
    std::string text;
  };
  std::vector<Row> rows = {
      {usual("Hello"), DeltaKind::text, "Hello"},
      {usual(""), DeltaKind::text, ""},
      {usual("a\\nb\\t\\\"c\\\"\\\\ \\/ \\b\\f\\r"), DeltaKind::text, "a\nb\t\"c\"\\ / \b\f\r"},
      {usual("caf\\u00e9 \\u20AC"), DeltaKind::text, "caf\xC3\xA9 \xE2\x82\xAC"},
      {usual("\\ud83d\\udd11"), DeltaKind::text, "\xF0\x9F\x94\x91"},
      {usual("caf\xC3\xA9"), DeltaKind::text, "caf\xC3\xA9"},
      {usual("x", "12"), DeltaKind::text, "x"},
      // Other layouts take the slow path, with the same answers.
      {R"({"delta":{"text":"hi","type":"text_delta"},"type":"content_block_delta","index":0})",
       DeltaKind::text, "hi"},
      {R"({ "type": "content_block_delta", "index": 0, "delta": { "type": "text_delta", "text": "hi" } })",
       DeltaKind::text, "hi"},
      {R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}})",
       DeltaKind::other, ""},
      {R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}})",
       DeltaKind::other, ""},
      {R"({"type":"content_block_delta","index":0,"delta":{"text":"no type"}})", DeltaKind::other,
       ""},
      {R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta"}})",
       DeltaKind::malformed, ""},
      {R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":5}})",
       DeltaKind::malformed, ""},
      {R"({"type":"content_block_delta","index":0,"delta":"text"})", DeltaKind::malformed, ""},
      {R"({"type":"content_block_delta","index":0})", DeltaKind::malformed, ""},
      {"not json", DeltaKind::malformed, ""},
      {"", DeltaKind::malformed, ""},
      {"[]", DeltaKind::malformed, ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.data);
    std::string text;
    CHECK(std::string(kind_name(decode_text_delta(row.data, text))) == kind_name(row.kind));
    if (row.kind == DeltaKind::text) {
      CHECK(text == row.text);
    }
  }
}

TEST_CASE("decode_text_delta never accepts what the full parser refuses") {
  std::vector<std::string> inputs = {
      usual("\\ud83d"),                   // lone high surrogate
      usual("\\udd11"),                   // lone low surrogate
      usual("\\ud83d\\u0041"),            // high surrogate with a non-surrogate
      usual("\\u12"),                     // short escape
      usual("\\uZZZZ"),                   // not hex
      usual("\\x41"),                     // no such escape
      usual("\\"),                        // escape at the end
      usual("tab\there"),                 // raw control byte
      usual(std::string("nul\0byte", 8)), // raw NUL
      usual("bad \xFF utf8"),             // invalid UTF-8
      usual("\xC3"),                      // truncated UTF-8
      usual("\xED\xA0\x80"),              // an encoded surrogate
      usual("x", "01"),                   // leading zero in the index
      usual("x", "-1"),
      usual("x", ""),
      usual("x", "1.5"),
      usual("x") + " ", // white space after the object
      usual("x") + "}", // extra brace
      usual("x").substr(0, usual("x").size() - 1),
      usual("a\"b"), // a quote that ends the string early
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a","text":"b"}})",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"},"delta":{"type":"x"}})",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a","extra":1}})",
  };
  for (const auto& input : inputs) {
    CAPTURE(input);
    CHECK(disagreement(input) == "");
  }
}

TEST_CASE("decode_text_delta: fast and slow agree on every truncation and on damaged events") {
  auto event = usual("Hi \\\"there\\\"\\n caf\\u00e9 \\ud83d\\udd11 \xE2\x82\xAC end", "3");
  for (std::size_t length = 0; length <= event.size(); ++length) {
    auto problem = disagreement(std::string_view(event).substr(0, length));
    if (!problem.empty()) {
      FAIL_CHECK("truncated to " << length << ": " << problem);
      return;
    }
  }
  std::mt19937 random(4242);
  const std::string replacements = "\"\\{}:,u0dD9aZ \x01\xC3\xFF";
  for (int round = 0; round < 20000; ++round) {
    std::string damaged = event;
    auto pos = std::uniform_int_distribution<std::size_t>(0, damaged.size() - 1)(random);
    damaged[pos] = replacements[std::uniform_int_distribution<std::size_t>(0, replacements.size() -
                                                                                  1)(random)];
    auto problem = disagreement(damaged);
    if (!problem.empty()) {
      FAIL_CHECK("damaged at " << pos << ": " << problem);
      return;
    }
  }
}

TEST_CASE("decode_text_delta: the usual layout, read without a parser, agrees at every length") {
  // read_usual scans the text 32 bytes at a time, then byte by byte: every
  // length around those blocks, with a byte the scan must stop at in each
  // place, and indexes of every length it takes or leaves to the parser.
  const std::string stops[] = {"\"",   "\\",   "\x01",     "\x1F", std::string(1, '\0'),
                               "\x80", "\xC3", "\xC3\xA9", "\xFF", "\x7F",
                               "\\n"};
  for (std::size_t length = 0; length <= 70; ++length) {
    std::string plain;
    for (std::size_t i = 0; i < length; ++i) {
      plain += static_cast<char>('#' + (i * 7) % 57); // '#' to '[': neither '"' nor '\\'
    }
    std::string text;
    REQUIRE(decode_text_delta(usual(plain), text) == DeltaKind::text);
    CHECK(text == plain);
    for (std::size_t at = 0; at < length; ++at) {
      for (const auto& stop : stops) {
        std::string damaged = plain;
        damaged.replace(at, stop.size() < length - at ? stop.size() : length - at, stop);
        auto problem = disagreement(usual(damaged));
        if (!problem.empty()) {
          FAIL_CHECK("length " << length << ", at " << at << ": " << problem);
          return;
        }
      }
    }
  }
  for (const std::string index : {"0", "7", "10", "00", "123456789012345678", "1234567890123456789",
                                  "99999999999999999999999", "1e2", "-0", "0x1"}) {
    CAPTURE(index);
    CHECK(disagreement(usual("text", index)) == "");
  }
}
