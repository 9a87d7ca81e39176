// append_openai_chunk reads OpenAI stream chunks with simdjson On-Demand and
// leaves what simdjson refuses to the full nlohmann parser; both must agree
// on the kind and the text, on ordinary chunks and on odd ones.
#include "upstream/openai_chunk.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using upstream::append_openai_chunk;
using upstream::ChunkKind;
using upstream::decode_openai_chunk_slow;

namespace {

const char* kind_name(ChunkKind kind) {
  switch (kind) {
  case ChunkKind::text:
    return "text";
  case ChunkKind::ignored:
    return "ignored";
  case ChunkKind::malformed:
    return "malformed";
  case ChunkKind::error:
    return "error";
  }
  return "?";
}

// The fast path's kind, after checking that it agrees with the slow path and
// appends exactly the slow path's text (or nothing).
ChunkKind checked(std::string_view data, std::string* text = nullptr) {
  std::string slow_text;
  ChunkKind slow = decode_openai_chunk_slow(data, slow_text);
  std::string out = "before:";
  ChunkKind fast = append_openai_chunk(data, out);
  INFO("chunk: " << std::string(data));
  CHECK(std::string(kind_name(fast)) == kind_name(slow));
  CHECK(out == "before:" + (slow == ChunkKind::text ? slow_text : std::string()));
  if (text) {
    *text = slow_text;
  }
  return fast;
}

std::string chunk(const std::string& delta) {
  return R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini",)"
         R"("choices":[{"index":0,"delta":)" +
         delta + R"(,"logprobs":null,"finish_reason":null}]})";
}

} // namespace

TEST_CASE("the chunks OpenAI sends: role, text, finish, usage") {
  std::string text;
  CHECK(checked(chunk(R"({"role":"assistant","content":""})"), &text) == ChunkKind::text);
  CHECK(text.empty());
  CHECK(checked(chunk(R"({"content":"Hello, wörld \u00e9\n\"quoted\""})"), &text) ==
        ChunkKind::text);
  CHECK(text == "Hello, wörld é\n\"quoted\"");
  CHECK(checked(chunk(R"({"role":"assistant","content":null,"refusal":null})")) ==
        ChunkKind::ignored);
  CHECK(checked(chunk(R"({})")) == ChunkKind::ignored);
  CHECK(checked(R"({"id":"x","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3}})") ==
        ChunkKind::ignored);
  CHECK(checked(R"({"id":"x"})") == ChunkKind::ignored);
  CHECK(checked(chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]})")) ==
        ChunkKind::ignored);
}

TEST_CASE("chunks that are not what a stream should carry") {
  CHECK(checked("not json") == ChunkKind::malformed);
  CHECK(checked("[1,2]") == ChunkKind::malformed);
  CHECK(checked(R"("text")") == ChunkKind::malformed);
  CHECK(checked(R"({"choices":{"0":1}})") == ChunkKind::ignored);
  CHECK(checked(R"({"choices":[1]})") == ChunkKind::malformed);
  CHECK(checked(R"({"choices":[{"index":0}]})") == ChunkKind::malformed);
  CHECK(checked(R"({"choices":[{"delta":"text"}]})") == ChunkKind::malformed);
  CHECK(checked(chunk(R"({"content":42})")) == ChunkKind::malformed);
  CHECK(checked(chunk(R"({"content":["a"]})")) == ChunkKind::malformed);
  CHECK(checked(R"({"error":{"message":"boom","type":"server_error"}})") == ChunkKind::error);
  CHECK(checked(R"({"choices":[{"delta":{"content":"x"}}],"error":null})") == ChunkKind::error);
  CHECK(checked(chunk(R"({"content":"cut)")) == ChunkKind::malformed);
  CHECK(checked(chunk(R"({"content":"x"})") + " trailing") == ChunkKind::malformed);
}

TEST_CASE("odd but valid JSON: both parsers have the same reading") {
  std::string text;
  // A repeated name counts by its last value, at every level.
  CHECK(checked(R"({"choices":[{"delta":{"content":"a"}}],"choices":[{"delta":{"content":"b"}}]})",
                &text) == ChunkKind::text);
  CHECK(text == "b");
  CHECK(checked(R"({"choices":[{"delta":{"content":"a","content":null}}]})") == ChunkKind::ignored);
  CHECK(checked(R"({"choices":[{"delta":{"content":"a"},"delta":{}}]})") == ChunkKind::ignored);
  CHECK(checked(R"({"choices":[{"delta":{"content":"a"}}],"choices":[]})") == ChunkKind::ignored);
  // Escaped names, a second choice, numbers simdjson does not read, depth.
  CHECK(checked(R"({"choices":[{"\u0064elta":{"\u0063ontent":"esc"}}]})", &text) ==
        ChunkKind::text);
  CHECK(text == "esc");
  CHECK(checked(R"({"choices":[{"delta":{"content":"one"}},{"delta":{"content":"two"}}]})",
                &text) == ChunkKind::text);
  CHECK(text == "one");
  CHECK(
      checked(R"({"n":123456789012345678901234567890,"choices":[{"delta":{"content":"big"}}]})") ==
      ChunkKind::text);
  std::string deep(100, '[');
  deep += std::string(100, ']');
  CHECK(checked(R"({"x":)" + deep + R"(,"choices":[{"delta":{"content":"deep"}}]})") ==
        ChunkKind::text);
  // simdjson refuses a byte order mark and a NUL after the value; nlohmann
  // takes both, and has the last word.
  CHECK(checked("\xEF\xBB\xBF" + chunk(R"({"content":"bom"})")) == ChunkKind::text);
  CHECK(checked(chunk(R"({"content":"bad \xff byte"})")) == ChunkKind::malformed);
  CHECK(checked(std::string(chunk(R"({"content":"nul"})")) + std::string(1, '\0')) ==
        ChunkKind::text);
}

TEST_CASE("random mutations of a real chunk: fast and slow agree") {
  const std::string base = chunk(R"({"content":"a \"b\" \u00e9 c"})");
  const std::string alphabet = "{}[]\":,\\ 0123456789.eE+-tfnulx\x01\xc3\xa9";
  std::mt19937 engine(12345);
  for (int round = 0; round < 3000; ++round) {
    std::string data = base;
    int edits = 1 + static_cast<int>(engine() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = engine() % (data.size() + 1);
      char c = alphabet[engine() % alphabet.size()];
      switch (engine() % 3) {
      case 0:
        data.insert(at, 1, c);
        break;
      case 1:
        if (at < data.size()) {
          data.erase(at, 1);
        }
        break;
      default:
        if (at < data.size()) {
          data[at] = c;
        }
      }
    }
    checked(data);
  }
}
