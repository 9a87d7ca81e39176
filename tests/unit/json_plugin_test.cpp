// The JSON plugin (util/json_plugin.hpp) holds the simdjson half of every
// fast reader; without it bridge reads with nlohmann alone. Both ways must
// give the same results on every text: here the same texts are read with the
// plugin (loaded from the build tree, tests/fuzz/json_plugin_always.cpp) and
// with it switched off.
#include "util/json_plugin.hpp"

#include "state/file/mark_reader.hpp"
#include "upstream/answer_text.hpp"
#include "upstream/openai_chunk.hpp"
#include "upstream/text_delta.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace {

// What a reader made of a text, as one string to compare.
using Reading = std::function<std::string(const std::string&)>;

std::string with_plugin(util::JsonPluginUse use, const Reading& read, const std::string& text) {
  util::set_json_plugin_use(use);
  std::string result = read(text);
  util::set_json_plugin_use(util::JsonPluginUse::always);
  return result;
}

void check_both_ways(const Reading& read, const std::vector<std::string>& texts) {
  for (const auto& text : texts) {
    CAPTURE(text);
    CHECK(with_plugin(util::JsonPluginUse::always, read, text) ==
          with_plugin(util::JsonPluginUse::never, read, text));
  }
}

std::string answer(const std::optional<std::string>& text) {
  return text ? "text:" + *text : "none";
}

std::string marks_of(const std::string& text) {
  pool::MarkMap marks;
  std::string problem;
  auto verdict = state::read_marks(text, marks, problem);
  std::string out = std::to_string(static_cast<int>(verdict)) + " " + problem;
  std::map<std::string, const pool::KeyMarks*> sorted;
  for (const auto& [fingerprint, mark] : marks) {
    sorted[fingerprint] = &mark;
  }
  for (const auto& [fingerprint, mark] : sorted) {
    out += "|" + fingerprint;
    if (mark->key_wide) {
      out += " " + std::to_string(static_cast<int>(mark->key_wide->kind)) + " " +
             std::to_string(mark->key_wide->status) + " " + mark->key_wide->reason + " " +
             std::to_string(mark->key_wide->until.time_since_epoch().count());
    }
    out += " models " + std::to_string(mark->models.size()) + " limits " +
           std::to_string(mark->limits.size());
  }
  return out;
}

// Texts on both sides of the rule: what simdjson accepts, what it leaves to
// nlohmann (a byte order mark, a NUL after the value, a number beyond 64
// bits, deep nesting), and what is not JSON at all.
std::vector<std::string> damaged(const std::string& good) {
  return {good,
          "\xEF\xBB\xBF" + good,
          good + std::string(1, '\0') + "x",
          good.substr(0, good.size() / 2),
          "[" + good + "]",
          std::string(70, '[') + std::string(70, ']'),
          "{\"n\":123456789012345678901234567890," + good.substr(1),
          "",
          "null"};
}

} // namespace

TEST_CASE("the plugin is loaded from the build tree") {
  CHECK(util::json_plugin(0) != nullptr);
  CHECK(util::json_plugin_loaded());
  util::set_json_plugin_use(util::JsonPluginUse::never);
  CHECK(util::json_plugin(1 << 30) == nullptr);
  util::set_json_plugin_use(util::JsonPluginUse::always);
}

TEST_CASE("answers read with and without the plugin") {
  check_both_ways(
      [](const std::string& body) { return answer(upstream::anthropic_answer_text(body)); },
      damaged(R"({"content":[{"type":"text","text":"Hel\u006co"},{"type":"tool_use"},)"
              R"({"type":"text","text":" there"}],"content":[{"type":"text","text":"last"}]})"));
  check_both_ways(
      [](const std::string& body) { return answer(upstream::openai_answer_text(body)); },
      damaged(R"({"choices":[{"message":{"content":"caf\u00e9","role":"assistant"}},1]})"));
}

TEST_CASE("stream events read with and without the plugin") {
  check_both_ways(
      [](const std::string& data) {
        std::string out = "before:";
        auto kind = upstream::append_text_delta(data, out);
        return std::to_string(static_cast<int>(kind)) + out;
      },
      damaged(R"({"type":"content_block_delta","delta":{"type":"text_delta","text":"a\nb"}})"));
  check_both_ways(
      [](const std::string& data) {
        std::string out = "before:";
        auto kind = upstream::append_openai_chunk(data, out);
        return std::to_string(static_cast<int>(kind)) + out;
      },
      damaged(
          R"({"choices":[{"delta":{"content":"x\"y"}}],"choices":[{"delta":{"content":"z"}}]})"));
}

TEST_CASE("state files read with and without the plugin") {
  const std::string file =
      R"({"version":1,"keys":{"sha256:aa":{"mark":"cooling","since":"2026-11-26T03:00:00Z",)"
      R"("until":"2026-11-26T03:01:00Z","status":429,"reason":"rate_limit_error"},)"
      R"("sha256:bb":{"mark":"disabled","since":"2026-11-26T03:00:00Z","status":401},)"
      R"("sha256:bb":[1,2],"sha256:cc":{"mark":"cooling","since":"2026-11-26T03:00:00Z",)"
      R"("until":"2026-11-26T03:02:00Z","status":4294967725,)"
      R"("models":{"claude-haiku-4-5":{"mark":"cooling","since":"2026-11-26T03:00:00Z",)"
      R"("until":"2026-11-26T03:03:00Z","status":429}}}}})";
  check_both_ways(marks_of, damaged(file));
  check_both_ways(marks_of,
                  {R"({"version":99,"keys":{}})", R"({"version":0})", R"({"keys":{}})",
                   R"({"version":1,"keys":[]})", R"({"version":18446744073709551615,"keys":{}})"});
}
