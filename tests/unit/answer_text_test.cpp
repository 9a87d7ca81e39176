// The blocking answer's text: the simdjson path and the nlohmann path must
// give the same answer on every body, and that answer is what `ask` prints.
#include "upstream/answer_text.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

using upstream::anthropic_answer_text;
using upstream::anthropic_answer_text_slow;
using upstream::openai_answer_text;
using upstream::openai_answer_text_slow;

namespace {

using Answer = std::optional<std::string>;

// Both paths, checked against each other, then the answer.
Answer anthropic(const std::string& body) {
  Answer fast = anthropic_answer_text(body);
  CHECK(fast == anthropic_answer_text_slow(body));
  return fast;
}

Answer openai(const std::string& body) {
  Answer fast = openai_answer_text(body);
  CHECK(fast == openai_answer_text_slow(body));
  return fast;
}

} // namespace

TEST_CASE("an Anthropic answer joins its text blocks and skips the others") {
  CHECK(anthropic(R"({"id":"m","content":[{"type":"text","text":"Hello"},)"
                  R"({"type":"tool_use","id":"t","input":{"text":"no"}},)"
                  R"({"type":"text","text":" w\u00f6rld\n"}],"usage":{"output_tokens":3}})") ==
        Answer("Hello w\xc3\xb6rld\n"));
  CHECK(anthropic(R"({"content":[]})") == Answer(""));
  CHECK(anthropic(R"({"content":[1,null,"text",{"text":"no type"}]})") == Answer(""));
}

TEST_CASE("an Anthropic block whose type is not a string is not a text block") {
  // nlohmann's value("type", "") threw on these; now they add nothing.
  CHECK(anthropic(R"({"content":[{"type":5,"text":"a"},{"type":["text"],"text":"b"}]})") ==
        Answer(""));
  CHECK(anthropic(R"({"content":[{"type":"text","text":7}]})") == Answer(""));
}

TEST_CASE("a body without an Anthropic answer gives none") {
  for (const char* body : {"", "null", "[]", R"("text")", R"({})", R"({"content":"text"})",
                           R"({"content":{"type":"text"}})", R"({"content":[]} x)",
                           R"({"content":[{"type":"text","text":"a"}])"}) {
    CAPTURE(body);
    CHECK(anthropic(body) == std::nullopt);
  }
}

TEST_CASE("a repeated name counts by its last value, as in the full parser") {
  CHECK(anthropic(R"({"content":[{"type":"text","text":"first"}],)"
                  R"("content":[{"type":"tool_use","type":"text","text":"a","text":"b"}]})") ==
        Answer("b"));
  CHECK(anthropic(R"({"content":[{"type":"text","text":"a"}],"content":null})") == std::nullopt);
  CHECK(openai(R"({"choices":[{"message":{"content":"a","content":"b"}}]})") == Answer("b"));
  CHECK(openai(R"({"choices":[{"message":{"content":"a"},"message":3}]})") == std::nullopt);
}

TEST_CASE("an OpenAI answer is the first choice's message content") {
  CHECK(openai(R"({"id":"c","choices":[{"index":0,"message":{"role":"assistant",)"
               R"("content":"Hi \"there\""},"finish_reason":"stop"},)"
               R"({"index":1,"message":{"content":"second"}}],"usage":{"total_tokens":3}})") ==
        Answer("Hi \"there\""));
  CHECK(openai(R"({"choices":[]})") == Answer(""));
  CHECK(openai(R"({"choices":[{"message":{"content":null,"refusal":"no"}}]})") == Answer(""));
  CHECK(openai(R"({"choices":[{"message":{"tool_calls":[]}}]})") == Answer(""));
}

TEST_CASE("a body without an OpenAI answer gives none") {
  for (const char* body :
       {"", "[]", R"({})", R"({"choices":{}})", R"({"choices":[1]})", R"({"choices":[{}]})",
        R"({"choices":[{"message":"text"}]})", R"({"choices":[{"message":{"content":["x"]}}]})",
        R"({"choices":[{"message":{"content":"a"}},]})"}) {
    CAPTURE(body);
    CHECK(openai(body) == std::nullopt);
  }
}

TEST_CASE("texts simdjson refuses are decided by the full parser") {
  // A number beyond 64 bits, nesting deeper than the fast path reads, a
  // byte order mark: nlohmann accepts them all.
  std::string deep = std::string(70, '[') + std::string(70, ']');
  CHECK(
      anthropic(R"({"n":123456789012345678901234567890,"content":[{"type":"text","text":"a"}]})") ==
      Answer("a"));
  CHECK(anthropic(R"({"content":[{"type":"text","text":"a","x":)" + deep + "}]}") == Answer("a"));
  CHECK(openai(R"({"choices":[{"message":{"content":"a"},"x":)" + deep + "}]}") == Answer("a"));
  // Invalid UTF-8 is refused by both.
  CHECK(anthropic("{\"content\":[{\"type\":\"text\",\"text\":\"\xff\"}]}") == std::nullopt);
}

TEST_CASE("both paths agree on mutations of real answers") {
  const std::vector<std::string> seeds = {
      R"({"content":[{"type":"text","text":"Hello"},{"type":"text","text":" you"}]})",
      R"({"choices":[{"message":{"content":"Hi","role":"assistant"}},{"message":{}}]})",
  };
  std::mt19937 random(20261204);
  const std::string alphabet = "{}[],:\"\\ntul0e-.x \x01\xc3";
  for (int round = 0; round < 4000; ++round) {
    std::string body = seeds[round % seeds.size()];
    for (int edits = 1 + static_cast<int>(random() % 3); edits > 0; --edits) {
      std::size_t at = random() % (body.size() + 1);
      char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
      case 0:
        body.insert(at, 1, c);
        break;
      case 1:
        if (at < body.size()) {
          body.erase(at, 1);
        }
        break;
      default:
        if (at < body.size()) {
          body[at] = c;
        }
      }
    }
    CAPTURE(body);
    anthropic(body);
    openai(body);
  }
}
