#include "util/redaction.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

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

TEST_CASE("a view of text without a secret is the text itself, not a copy") {
  util::Redactor redactor;
  redactor.add("sk-ant-secret-value", "s...e");
  std::string storage;
  std::string clean = "The quick brown fox jumps over the lazy dog, sk-ant- but no key.";
  std::string_view shown = redactor.apply(clean, storage);
  CHECK(shown.data() == clean.data());
  CHECK(shown.size() == clean.size());
  CHECK(storage.empty());
  std::string dirty = "a sk-ant-secret-value b";
  shown = redactor.apply(dirty, storage);
  CHECK(shown == "a s...e b");
  CHECK(shown.data() == storage.data());
  util::Redactor none;
  CHECK(none.apply(clean, storage).data() == clean.data());
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

TEST_CASE("the anchored search and the rolling hash find the same secrets") {
  // Secrets with a few shared first bytes take the anchored search; one
  // secret shorter than an anchor (absent from the texts) forces the rolling
  // hash on the second redactor. Texts are made of pieces of the secrets, so
  // they overlap, nest and are cut at every place.
  const std::vector<std::string> secrets = {
      "sk-ant-aaa", "sk-ant-aaab", "sk-ant-aa", "sk-proj-x1", "sk-a", "ant-aaab", "zz-sk-ant-aaa"};
  util::Redactor anchored;
  util::Redactor rolling;
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    anchored.add(secrets[i], "<" + std::to_string(i) + ">");
    rolling.add(secrets[i], "<" + std::to_string(i) + ">");
  }
  rolling.add("\x01", "<short>");
  std::mt19937 random(42);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    for (int piece = static_cast<int>(random() % 6); piece >= 0; --piece) {
      const std::string& from = secrets[random() % secrets.size()];
      std::size_t start = random() % from.size();
      text += from.substr(start, 1 + random() % (from.size() - start));
      if (random() % 3 == 0) {
        text += " ";
      }
    }
    CAPTURE(text);
    CHECK(anchored.apply(text) == rolling.apply(text));
  }
  CHECK(anchored.apply("zz-sk-ant-aaab") == "<6>b");
  CHECK(anchored.apply("sk-ant-aaab sk-a") == "<1> <4>");
}

TEST_CASE("text shorter than every secret is left as it is, longer text is still searched") {
  util::Redactor redactor;
  redactor.add("sk-ant-long-secret", "<long>");
  redactor.add("sk-ant-s", "<short>");
  CHECK(redactor.apply("sk-ant-") == "sk-ant-");
  CHECK(redactor.apply("sk-ant-s") == "<short>");
  CHECK(redactor.apply("sk-ant-long-secret") == "<long>");
}
