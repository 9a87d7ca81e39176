#include "util/redaction.hpp"

#include <doctest/doctest.h>

#include <string>

TEST_CASE("a redactor without secrets leaves text alone") {
  util::Redactor redactor;
  CHECK(redactor.empty());
  CHECK(redactor.apply("Bearer sk-anything") == "Bearer sk-anything");
}

TEST_CASE("every occurrence of every secret is replaced") {
  util::Redactor redactor;
  redactor.add("sk-ant-api03-abcdefgh", "sk-a...efgh");
  redactor.add("sk-proj-0123456789", "sk...89");
  CHECK(redactor.apply("Incorrect API key provided: Bearer sk-ant-api03-abcdefgh.") ==
        "Incorrect API key provided: Bearer sk-a...efgh.");
  CHECK(redactor.apply("sk-ant-api03-abcdefghsk-proj-0123456789 and sk-proj-0123456789") ==
        "sk-a...efghsk...89 and sk...89");
  CHECK(redactor.apply("sk-ant-api03-abcdefgh") == "sk-a...efgh");
  CHECK(redactor.apply("sk-ant-api03-abcdefg") == "sk-ant-api03-abcdefg"); // not the whole key
  CHECK(redactor.apply("") == "");
}

TEST_CASE("where secrets overlap the longer wins, and replaced text is not searched again") {
  util::Redactor redactor;
  redactor.add("abcde", "<short>");
  redactor.add("abcdefghij", "<long>");
  CHECK(redactor.apply("xxabcdefghijyy") == "xx<long>yy");
  CHECK(redactor.apply("abcdeabcde") == "<short><short>");
  // A secret that starts inside another one's occurrence stays inside it.
  util::Redactor overlapping;
  overlapping.add("aaab", "<1>");
  overlapping.add("abzz", "<2>");
  CHECK(overlapping.apply("aaabzz") == "<1>zz");
}

TEST_CASE("in place, text without a secret is not touched") {
  util::Redactor redactor;
  redactor.add("secret-value", "s...e");
  std::string text = "nothing here";
  redactor.apply_in_place(text);
  CHECK(text == "nothing here");
  text = "a secret-value b";
  redactor.apply_in_place(text);
  CHECK(text == "a s...e b");
  redactor.add("", "ignored");
  redactor.add("secret-value", "other");
  CHECK(redactor.apply("secret-value") == "s...e");
}

TEST_CASE("many keys of one length are found in one pass, at any position") {
  util::Redactor redactor;
  for (int i = 0; i < 1000; ++i) {
    redactor.add("sk-ant-test-" + std::to_string(100000 + i), "<" + std::to_string(i) + ">");
  }
  CHECK(redactor.apply("sk-ant-test-100999") == "<999>");
  CHECK(redactor.apply("xsk-ant-test-100000") == "x<0>");
  std::string big(1 << 20, 'x');
  big += "sk-ant-test-100500";
  CHECK(redactor.apply(big) == std::string(1 << 20, 'x') + "<500>");
}
