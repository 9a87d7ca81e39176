// state::read_marks is the read path of every invocation; it promises the
// same verdict as StateDocument::parse and the same marks as
// StateDocument::marks(). These tests check known answers and compare the
// two readers on hand-picked and systematically damaged files.
#include "state/file/mark_reader.hpp"

#include "state/file/state_document.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

using pool::KeyMark;
using pool::MarkKind;
using state::StateDocument;
using test::at;
using test::ms;

namespace {

const util::TimePoint k_t0 = at("2026-11-26T03:00:00Z");

const char* verdict_name(StateDocument::Parse verdict) {
  switch (verdict) {
  case StateDocument::Parse::ok:
    return "ok";
  case StateDocument::Parse::corrupt:
    return "corrupt";
  case StateDocument::Parse::newer_version:
    return "newer_version";
  }
  return "?";
}

bool same_mark(const KeyMark& a, const KeyMark& b) {
  return a.kind == b.kind && a.since == b.since && a.until == b.until && a.status == b.status &&
         a.reason == b.reason;
}

bool same_mark(const std::optional<KeyMark>& a, const std::optional<KeyMark>& b) {
  return a.has_value() == b.has_value() && (!a || same_mark(*a, *b));
}

// The key-wide mark, the per-model marks and the limits all agree.
bool same_mark(const pool::KeyMarks& a, const pool::KeyMarks& b) {
  if (!same_mark(a.key_wide, b.key_wide) || a.models.size() != b.models.size() ||
      a.limits != b.limits) {
    return false;
  }
  for (const auto& [model, mark] : a.models) {
    auto it = b.models.find(model);
    if (it == b.models.end() || !same_mark(it->second, mark)) {
      return false;
    }
  }
  return true;
}

// Empty when both readers agree; otherwise what differs.
std::string disagreement(std::string_view text) {
  pool::MarkMap fast;
  std::string fast_problem;
  auto fast_verdict = state::read_marks(text, fast, fast_problem);
  StateDocument doc;
  std::string problem;
  auto verdict = StateDocument::parse(text, doc, problem);
  if (fast_verdict != verdict) {
    return std::string("verdict: read_marks ") + verdict_name(fast_verdict) + ", StateDocument " +
           verdict_name(verdict);
  }
  if (verdict != StateDocument::Parse::ok) {
    if (fast_problem != problem) {
      return "problem: read_marks '" + fast_problem + "', StateDocument '" + problem + "'";
    }
    return {};
  }
  auto slow = doc.marks();
  if (slow.size() != fast.size()) {
    return "mark count: read_marks " + std::to_string(fast.size()) + ", StateDocument " +
           std::to_string(slow.size());
  }
  for (const auto& [fingerprint, mark] : slow) {
    auto it = fast.find(fingerprint);
    if (it == fast.end() || !same_mark(it->second, mark)) {
      return "mark of " + fingerprint;
    }
  }
  return {};
}

std::string sample_file() {
  StateDocument doc;
  doc.merge(keys::make_key("alpha", "sk-ant-api03-alpha-0000000000"),
            KeyMark::cooling(k_t0, ms(30'000), 429, "rate_limit_error"));
  doc.merge(keys::make_key("beta", "sk-ant-api03-beta-1111111111"),
            KeyMark::disabled(k_t0, 401, "authentication_error"));
  doc.merge(keys::make_key("gamma", "sk-ant-api03-gamma-2222222222"),
            KeyMark::cooling(k_t0 - ms(5'000), ms(90'000), 429, ""));
  // Per-model marks and limits (docs/marks.md), read by both readers alike.
  doc.merge(keys::make_key("alpha", "sk-ant-api03-alpha-0000000000"),
            pool::Scope::of_model("claude-opus-4-1"),
            KeyMark::cooling(k_t0, ms(45'000), 429, "rate_limit_error"));
  doc.set_limits(
      keys::make_key("gamma", "sk-ant-api03-gamma-2222222222"), "claude-haiku-4-5",
      pool::ModelLimits{
          k_t0, {{"requests", 0, 50, k_t0 + ms(3'000)}, {"tokens", 1200, -1, std::nullopt}}});
  return doc.serialize();
}

} // namespace

TEST_CASE("read_marks: known answers") {
  auto alpha = keys::make_key("alpha", "sk-ant-api03-alpha-0000000000");
  pool::MarkMap marks;
  std::string problem;
  REQUIRE(state::read_marks(sample_file(), marks, problem) == StateDocument::Parse::ok);
  REQUIRE(marks.size() == 3);
  const auto& mark = marks.at(alpha.fingerprint).key_wide.value();
  CHECK(mark.kind == MarkKind::cooling);
  CHECK(mark.since == k_t0);
  CHECK(mark.until == k_t0 + ms(30'000));
  CHECK(mark.status == 429);
  CHECK(mark.reason == "rate_limit_error");
  const auto& opus = marks.at(alpha.fingerprint).models.at("claude-opus-4-1");
  CHECK(opus.until == k_t0 + ms(45'000));
  const auto& gamma =
      marks.at(keys::make_key("gamma", "sk-ant-api03-gamma-2222222222").fingerprint);
  REQUIRE(gamma.limits.count("claude-haiku-4-5") == 1);
  const auto& readings = gamma.limits.at("claude-haiku-4-5").readings;
  REQUIRE(readings.size() == 2);
  CHECK(readings[0] == limits::LimitReading{"requests", 0, 50, k_t0 + ms(3'000)});
  CHECK(readings[1] == limits::LimitReading{"tokens", 1200, -1, std::nullopt});

  pool::MarkMap untouched = marks;
  CHECK(state::read_marks("{not json", untouched, problem) == StateDocument::Parse::corrupt);
  CHECK_FALSE(problem.empty());
  CHECK(untouched.size() == 3); // a failed read leaves the output alone
  CHECK(state::read_marks(R"({"version": 2})", untouched, problem) ==
        StateDocument::Parse::newer_version);
}

TEST_CASE("read_marks agrees with StateDocument on hand-picked files") {
  std::vector<std::string> texts = {
      sample_file(),
      // Per-model marks: an entry with nothing else, bad shapes, repeats.
      R"({"version": 1, "keys": {"sha256:1": {"models": {"m": {"mark": "cooling",
        "since": "2026-11-26T03:00:00Z", "until": "2026-11-26T03:01:00Z", "status": 429}}}}})",
      R"({"version": 1, "keys": {"sha256:1": {"models": [1, 2]}, "sha256:2": {"models": "x"},
        "sha256:3": {"models": {"m": 5, "": {"mark": "disabled", "since": "2026-11-26T03:00:00Z"}}}}})",
      R"({"version": 1, "keys": {"sha256:1": {"models": {"m": {"mark": "cooling"}},
        "models": {"n": {"limits": {"seen": "2026-11-26T03:00:00Z", "requests": {"remaining": 1}}}}}}})",
      R"({"version": 1, "keys": {"sha256:1": {"models": {"m": {"limits": {"seen": "nope"}}}}}})",
      "",
      "   ",
      "null",
      "42",
      "\"text\"",
      "[]",
      "[{\"version\": 1, \"keys\": {}}]",
      "{}",
      R"({"version": 1})",
      R"({"keys": {}, "version": 1})",
      R"({"version": 1, "keys": {}})",
      R"({"version": 0, "keys": {}})",
      R"({"version": -3, "keys": {}})",
      R"({"version": 2, "keys": {}})",
      R"({"version": 2, "keys": []})",
      R"({"version": 1.0, "keys": {}})",
      R"({"version": "1", "keys": {}})",
      R"({"version": true, "keys": {}})",
      R"({"version": null, "keys": {}})",
      R"({"version": [1], "keys": {}})",
      R"({"version": {"major": 1}, "keys": {}})",
      R"({"version": 1, "keys": []})",
      R"({"version": 1, "keys": null})",
      R"({"version": 1, "keys": "x"})",
      R"({"version": 1, "keys": 7})",
      R"({"version": 1, "keys": {}} trailing)",
      R"({"version": 1, "keys": {}}{})",
      // Fields in unusual places.
      R"({"version": 1, "x": {"keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z"}}}, "keys": {}})",
      R"({"version": 1, "x": {"version": 9}, "keys": {}})",
      R"({"version": 1, "x": [{"version": 9}, {"keys": 1}], "keys": {}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "extra": {"mark": "cooling", "status": 9}}}})",
      R"({"version": 1, "keys": {"fp": {"extra": [{"mark": "x"}], "mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": 403}}})",
      R"({"version": 1, "keys": {"fp": "string entry", "fp2": 5, "fp3": [], "fp4": null}})",
      R"({"version": 1, "keys": {"fp": {"mark": "cooling", "since": "2026-11-26T03:00:00Z"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "cooling", "since": "2026-11-26T03:00:00Z", "until": "bad"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": "401"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": 401.5}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": -1}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "reason": 5}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "Disabled", "since": "2026-11-26T03:00:00Z"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "until": "garbage"}}})",
      R"({"version": 1, "keys": {"": {"mark": "disabled", "since": "2026-11-26T03:00:00Z"}}})",
      R"({"version": 1, "keys": {"fp": {}}})",
      R"({"keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z"}}, "version": 1})",
      R"({"keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z"}}, "version": 2})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z"}}, "keys": {}})",
      // Repeated names: the last value counts, as in the document.
      R"({"version": 1, "version": 2, "keys": {}})",
      R"({"version": 2, "version": "x", "keys": {}})",
      R"({"version": 1, "version": null, "keys": {}})",
      R"({"version": 1, "version": [1], "keys": {}})",
      R"({"version": 1, "version": {"n": 1}, "keys": {}})",
      R"({"version": "x", "version": 1, "keys": {}})",
      R"({"version": 1, "keys": 5, "keys": {}})",
      R"({"version": 1, "keys": {}, "keys": 5})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z"}}, "keys": {"fp2": {"mark": "disabled", "since": "2026-11-26T03:00:00Z"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z"}, "fp": "gone"}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z"}, "fp": ["gone"]}})",
      R"({"version": 1, "keys": {"fp": "first", "fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": 401}, "fp": {"mark": "cooling", "since": "2026-11-26T03:00:00Z", "until": "2026-11-26T03:01:00Z"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z"}, "fp": {"mark": "bad"}}})",
      R"({"version": 18446744073709551615, "keys": {}})",
      R"({"version": 9223372036854775808, "keys": {}})",
      R"({"version": 9223372036854775807, "keys": {}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": 99999999999}}})",
      "{\"version\": 1, \"keys\": {\"f\xFF\": {}}}",
      "\xEF\xBB\xBF{\"version\": 1, \"keys\": {}}",
  };
  for (const auto& text : texts) {
    CAPTURE(text);
    CHECK(disagreement(text) == "");
  }
}

TEST_CASE("read_marks agrees with StateDocument on every truncation of a file") {
  auto text = sample_file();
  for (std::size_t length = 0; length <= text.size(); ++length) {
    auto problem = disagreement(std::string_view(text).substr(0, length));
    if (!problem.empty()) {
      FAIL_CHECK("truncated to " << length << " bytes: " << problem);
      return;
    }
  }
}

TEST_CASE("read_marks agrees with StateDocument on damaged files") {
  auto text = sample_file();
  std::mt19937 random(77);
  const std::string replacements = "{}[]\":,0129-. \\tnufaels";
  for (int round = 0; round < 3000; ++round) {
    std::string damaged = text;
    int edits = 1 + round % 3;
    for (int e = 0; e < edits; ++e) {
      auto pos = std::uniform_int_distribution<std::size_t>(0, damaged.size() - 1)(random);
      auto with = replacements[std::uniform_int_distribution<std::size_t>(0, replacements.size() -
                                                                                 1)(random)];
      if (round % 2 == 0) {
        damaged[pos] = with;
      } else {
        damaged.erase(pos, 1);
      }
    }
    auto problem = disagreement(damaged);
    if (!problem.empty()) {
      FAIL_CHECK("round " << round << ": " << problem << "\n" << damaged);
      return;
    }
  }
}

namespace {

// A state file with one disabled entry whose reason is `reason`, raw JSON
// text between the quotes, so that a test can put any bytes in a string.
std::string with_reason(std::string_view reason) {
  return R"({"version": 1, "keys": {"fp": {"label": "l", "mark": "disabled", "reason": ")" +
         std::string(reason) + R"(", "since": "2026-11-26T03:00:00Z"}}})";
}

// `count` entries as bridge writes them (StateDocument::serialize: two-space
// indentation, names sorted); every hundredth label holds escapes and
// non-ASCII text, every third entry is disabled.
std::string generated_file(int count) {
  std::string text = "{\n  \"keys\": {";
  char fingerprint[48];
  for (int i = 0; i < count; ++i) {
    std::snprintf(fingerprint, sizeof fingerprint, "sha256:%032x", i * 2654435761u);
    bool disabled = i % 3 == 0;
    std::string label = i % 100 == 0 ? "caf\\u00e9 \\\"" + std::to_string(i) + "\\\" \xE6\x9D\xB1"
                                     : "key-" + std::to_string(i);
    text += i == 0 ? "\n" : ",\n";
    text += "    \"" + std::string(fingerprint) + "\": {\n";
    text += "      \"hint\": \"sk-a...0000\",\n";
    text += "      \"label\": \"" + label + "\",\n";
    text += std::string("      \"mark\": \"") + (disabled ? "disabled" : "cooling") + "\",\n";
    text += std::string("      \"reason\": \"") +
            (disabled ? "authentication_error" : "rate_limit_error") + "\",\n";
    text += "      \"since\": \"2026-11-26T03:00:00.000Z\",\n";
    text += std::string("      \"status\": ") + (disabled ? "401" : "429");
    if (!disabled) {
      text += ",\n      \"until\": \"2099-01-01T00:00:" + std::string(i % 60 < 10 ? "0" : "") +
              std::to_string(i % 60) + ".000Z\"";
    }
    text += "\n    }";
  }
  text += "\n  },\n  \"version\": 1\n}\n";
  return text;
}

StateDocument::Parse document_verdict(std::string_view text) {
  StateDocument doc;
  std::string problem;
  return StateDocument::parse(text, doc, problem);
}

} // namespace

TEST_CASE("read_marks agrees with StateDocument on files nlohmann refuses") {
  const std::string entry = R"("fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z"})";
  std::vector<std::string> texts = {
      // Strings: ill-formed UTF-8 (RFC 3629), raw control characters, bad escapes.
      with_reason("\x80"),
      with_reason("a\xBF"),
      with_reason("\xC0\xAF"), // overlong '/'
      with_reason("\xC1\xBF"), // overlong
      with_reason("\xC3"),     // cut short by the quote
      with_reason("\xC3x"),
      with_reason("\xE0\x80\xAF"),     // overlong
      with_reason("\xE0\x9F\xBF"),     // overlong
      with_reason("\xED\xA0\x80"),     // surrogate U+D800
      with_reason("\xED\xBF\xBF"),     // surrogate U+DFFF
      with_reason("\xE2\x82"),         // cut short
      with_reason("\xF0\x80\x80\x80"), // overlong
      with_reason("\xF0\x8F\xBF\xBF"), // overlong
      with_reason("\xF4\x90\x80\x80"), // beyond U+10FFFF
      with_reason("\xF5\x80\x80\x80"),
      with_reason("\xF8\x88\x80\x80\x80"),
      with_reason("\xFE"),
      with_reason("\xFF"),
      with_reason("\xF0\x9F\x98"), // cut short
      "{\"version\": 1, \"keys\": {\"f\xC3",
      "{\"version\": 1, \"keys\": {\"f\xF0\x9F",
      with_reason(std::string(1, '\0')),
      with_reason("\x01"),
      with_reason("a\tb"),
      with_reason("a\nb"),
      with_reason("\x1F"),
      "{\"version\": 1, \"k\x01\": 1, \"keys\": {}}",
      with_reason("\\x41"),
      with_reason("\\U0041"),
      with_reason("\\u12"),
      with_reason("\\u12G4"),
      with_reason("\\u"),
      with_reason("\\"),
      with_reason("\\'"),
      with_reason("\\a"),
      with_reason("\\0"),
      // Surrogates in escapes: a high one must be followed by a low one.
      with_reason("\\ud800"),
      with_reason("\\uD83D alone"),
      with_reason("\\ud83d\\u0041"),
      with_reason("\\ud83d\\ud83d"),
      with_reason("\\ud83d\\"),
      with_reason("\\ud83d\\n"),
      with_reason("\\udc00"),
      with_reason("\\uDFFF\\uD800"),
      // Numbers outside the grammar, and one too large for a double.
      R"({"version": 01, "keys": {}})",
      R"({"version": 1, "x": 00, "keys": {}})",
      R"({"version": 1, "x": -01, "keys": {}})",
      R"({"version": 1, "x": -, "keys": {}})",
      R"({"version": 1, "x": +1, "keys": {}})",
      R"({"version": 1, "x": .5, "keys": {}})",
      R"({"version": 1, "x": 1., "keys": {}})",
      R"({"version": 1, "x": 1.e5, "keys": {}})",
      R"({"version": 1, "x": 1e, "keys": {}})",
      R"({"version": 1, "x": 1e+, "keys": {}})",
      R"({"version": 1, "x": 0x10, "keys": {}})",
      R"({"version": 1, "x": 1.5.3, "keys": {}})",
      R"({"version": 1, "x": NaN, "keys": {}})",
      R"({"version": 1, "x": Infinity, "keys": {}})",
      R"({"version": 1, "x": -Infinity, "keys": {}})",
      R"({"version": 1, "x": 1e400, "keys": {}})",
      R"({"version": 1, "x": -1e309, "keys": {}})",
      R"({"version": 1e400, "keys": {}})",
      "{\"version\": 1, \"x\": " + std::string(400, '9') + ", \"keys\": {}}",
      "{\"version\": 1, \"keys\": {\"fp\": {\"status\": 1" + std::string(400, '0') + "}}}",
      // Literals, punctuation, trailing garbage.
      R"({"version": 1, "x": tru, "keys": {}})",
      R"({"version": 1, "x": True, "keys": {}})",
      R"({"version": 1, "x": nul, "keys": {}})",
      R"({"version": 1, "x": nulll, "keys": {}})",
      R"({"version": 1, "x": falsey, "keys": {}})",
      R"({"version": 1, "x": undefined, "keys": {}})",
      R"({"version": 1, "keys": {},})",
      R"({"version": 1, "keys": {)" + entry + R"(,}})",
      R"({"version": 1, "x": [1, 2,], "keys": {}})",
      R"({"version": 1, "x": [,], "keys": {}})",
      R"({"version": 1, "x": {"a" 1}, "keys": {}})",
      R"({"version": 1, "x": {"a": 1 "b": 2}, "keys": {}})",
      R"({"version": 1, "x": {1: 2}, "keys": {}})",
      R"({"version": 1, "x": {a: 2}, "keys": {}})",
      R"({"version": 1, "x": ['a'], "keys": {}})",
      R"({"version": 1 "keys": {}})",
      R"({"version": 1, "keys": {}, "x": [})",
      R"({"version": 1, "keys": {}, "x": {]})",
      R"({"version": 1, "keys": {}, "x": [1}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled",}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled" "since": "x"}}})",
      R"({"version": 1, "keys": {"fp" {}}})",
      R"({"version": 1, "keys": {"fp": }})",
      R"({"version": 1, // comment
          "keys": {}})",
      R"({"version": 1, /* comment */ "keys": {}})",
      R"({"version": 1, "keys": {}}})",
      R"({"version": 1, "keys": {}}])",
      R"({"version": 1, "keys": {}} 1)",
      R"({"version": 1, "keys": {}} "x")",
      R"({"version": 1, "keys": {}}x)",
      R"({"version": 1, "keys": {}} {"version": 1})",
      "{\"version\": 1,\f\"keys\": {}}",
      "{\"version\": 1,\v\"keys\": {}}",
      "{\"version\": 1,\xC2\xA0\"keys\": {}}", // a non-breaking space
      // Cut short anywhere.
      "{",
      "{\"",
      "{\"version\"",
      "{\"version\":",
      "{\"version\": 1",
      "{\"version\": 1,",
      "{\"version\": 1, \"keys\": {",
      "{\"version\": 1, \"keys\": {\"fp\": {\"mark\": \"disabled",
      "{\"version\": 1, \"keys\": {\"fp\": [",
      // A byte order mark must be whole, and only at the very start.
      "\xEF\xBB{\"version\": 1}",
      "\xEF{\"version\": 1}",
      "\xEF",
      "\xEF\xBB\xBF",
      " \xEF\xBB\xBF{\"version\": 1}",
      "\xEF\xBB\xBF\xEF\xBB\xBF{\"version\": 1}",
      "{\"version\": 1, \"keys\": {}}\xEF\xBB\xBF",
      // A NUL byte ends the input between tokens, which is too early here.
      std::string("{\"version\": 1\0}", 15),
      std::string("\0{\"version\": 1}", 15),
      std::string("{\"version\": 1, \"keys\": {\"fp\"\0: {}}}", 35),
  };
  for (const auto& text : texts) {
    CAPTURE(text);
    CHECK(document_verdict(text) == StateDocument::Parse::corrupt);
    CHECK(disagreement(text) == "");
  }
}

TEST_CASE("read_marks agrees with StateDocument on the edges nlohmann accepts") {
  std::vector<std::string> texts = {
      with_reason("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF \xEF\xBF\xBF \x7F"),
      with_reason("\xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80 \xF0\x90\x80\x80 \xC2\x80 \xDF\xBF"),
      with_reason("\\\" \\\\ \\/ \\b \\f \\n \\r \\t"),
      with_reason("\\u0000 \\u001f \\u007F \\u00e9 \\u00E9 \\u20AC \\uFFFF"),
      with_reason("\\ud83d\\ude00 \\uD800\\uDC00 \\uDBFF\\uDFFF"),
      with_reason("plain \\u0041\\u0042 plain"),
      with_reason(std::string(300, 'x') + "\\n" + std::string(300, 'y')),
      // Names with escapes are the same names.
      R"({"v\u0065rsion": 1, "k\u0065ys": {"f\u0070": {"m\u0061rk": "disabled", "s\u0069nce": "2026-11-26T03:00:00Z", "st\u0061tus": 403, "re\u0061son": "\u0066orbidden"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z"}, "f\u0070": {"mark": "bad"}}})",
      R"({"version": 1, "keys": {"caf\u00e9": {"mark": "disabled", "since": "2026-11-26T03:00:00Z"}}})",
      R"({"version": 1, "keys": {"\u0000": {"mark": "disabled", "since": "2026-11-26T03:00:00Z"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "reason": "a\u0000b"}}})",
      // Numbers: every form of the grammar, and where nlohmann's types change.
      R"({"version": 1, "x": [0, -0, 1, -1, 0.5, -0.5, 1e5, 1E5, 1e+5, 1e-5, 1.5e-300, 0e0, -0.0e-0], "keys": {}})",
      R"({"version": 1, "x": 1e-400, "keys": {}})",
      R"({"version": 1, "x": -1e-400, "keys": {}})",
      R"({"version": 1, "x": 4.9e-324, "y": 2.5e-324, "z": 1.7976931348623157e308, "keys": {}})",
      "{\"version\": 1, \"x\": " + std::string(300, '9') + ", \"keys\": {}}",
      "{\"version\": 1, \"x\": -" + std::string(300, '9') + ", \"keys\": {}}",
      R"({"version": 1e0, "keys": {}})",
      R"({"version": 1.0, "keys": {}})",
      R"({"version": 10e-1, "keys": {}})",
      R"({"version": -0, "keys": {}})",
      R"({"version": 0, "keys": {}})",
      R"({"version": 10, "keys": {}})",
      R"({"version": -9223372036854775808, "keys": {}})",
      R"({"version": -9223372036854775809, "keys": {}})",
      R"({"version": 18446744073709551616, "keys": {}})",
      R"({"version": 99999999999999999999999, "keys": {}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": 4294967725}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": -4294966867}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": 9223372036854775808}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": 18446744073709551615}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": 18446744073709551616}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": -9223372036854775808}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": 4.29e2}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": 1e-400}}})",
      // Repeated fields inside an entry: the last value counts, even one of
      // the wrong type.
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": 5, "status": "x"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": 5, "status": 1.5}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": "x", "status": 7}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "mark": 7, "since": "2026-11-26T03:00:00Z"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "mark": "cooling", "since": "2026-11-26T03:00:00Z"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": 7, "mark": "disabled", "since": "2026-11-26T03:00:00Z"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "since": null}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "x", "since": "2026-11-26T03:00:00Z"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "cooling", "since": "2026-11-26T03:00:00Z", "until": "2026-11-26T03:01:00Z", "until": []}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "reason": "a", "reason": "b"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "reason": "a", "reason": {"b": 1}}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "reason": "\u0061", "reason": "b\u0062"}}})",
      R"({"version": 1, "keys": {"fp": {"mark": "cooling", "since": "2026-11-26T03:00:00Z", "until": "2026-11-26T04:00:00+01:00"}}})",
      // Whitespace, the byte order mark, and a NUL byte after the value.
      "\xEF\xBB\xBF{\"version\": 1, \"keys\": {}}",
      "\xEF\xBB\xBF \t\r\n{ \t\r\n\"version\" \t\r\n: \t\r\n1 \t\r\n, \"keys\"\n:\n{\n}\n}\n\r\t ",
      std::string("{\"version\": 1, \"keys\": {}}\0", 26),
      std::string("{\"version\": 1, \"keys\": {}}  \0 anything {{{ \xFF", 43),
      std::string("{\"version\": 2, \"keys\": {}}\0", 26),
      std::string("[1]\0", 4),
      std::string("\xEF\xBB\xBF\"x\"\0", 7),
      // Unknown values of every kind, anywhere.
      R"({"version": 1, "a": {"b": [{"c": [[], {}, [{}], null, true, false, "s", -1.5e3]}]}, "keys": {"fp": {"x": [[{"mark": "cooling"}]], "mark": "disabled", "since": "2026-11-26T03:00:00Z", "y": {"status": 1}}}, "z": []})",
  };
  for (const auto& text : texts) {
    CAPTURE(text);
    CHECK(disagreement(text) == "");
  }
}

TEST_CASE("read_marks agrees with StateDocument on hostile nesting") {
  const std::size_t depth = 100'000;
  std::vector<std::string> texts = {
      R"({"version": 1, "deep": )" + std::string(depth, '[') + std::string(depth, ']') +
          R"(, "keys": {}})",
      R"({"version": 1, "deep": )" + std::string(depth, '[') + R"(, "keys": {}})",
      R"({"version": 1, "deep": )" + std::string(depth, '[') + std::string(depth - 1, ']') + "}",
      std::string(depth, '['),
      std::string(depth, '[') + std::string(depth, ']'),
      R"({"version": 1, "keys": {"fp": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "x": )" +
          std::string(depth, '[') + std::string(depth, ']') + "}}}",
  };
  std::string objects;
  for (std::size_t i = 0; i < depth / 10; ++i) {
    objects += R"({"a": )";
  }
  objects += "null" + std::string(depth / 10, '}');
  texts.push_back(R"({"version": 1, "deep": )" + objects + R"(, "keys": {}})");
  texts.push_back(R"({"version": 1, "deep": )" + objects.substr(0, objects.size() - 1) + "}");
  for (const auto& text : texts) {
    CAPTURE(text.substr(0, 80));
    CHECK(disagreement(text) == "");
  }
}

TEST_CASE("read_marks agrees with StateDocument wherever a special byte falls in a string") {
  // The scanner looks at string text 16 and 8 bytes at a time: put each kind
  // of byte it must stop at at every offset of a long string, with the string
  // and the file ending at every offset of a block too.
  const std::vector<std::string> specials = {
      "\\\"", "\\\\", "\\u00e9", "\\ud83d\\ude00", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
      "\x7F", "\x01", "\x1F",    "\xFF",           "\xC3",     "\xED\xA0\x80", "\\x",
      "\"",
  };
  for (const auto& special : specials) {
    for (std::size_t before = 0; before < 34; ++before) {
      for (std::size_t after : {0, 1, 7, 8, 9, 15, 16, 17, 33}) {
        std::string reason = std::string(before, 'a') + special + std::string(after, 'b');
        std::string last = R"({"version": 1, "keys": {}, "x": ")" + reason + "\"}";
        for (const auto& text : {with_reason(reason), last, last + std::string(before % 18, ' '),
                                 last.substr(0, last.size() - 2)}) {
          auto problem = disagreement(text);
          if (!problem.empty()) {
            FAIL_CHECK(problem << "\n" << text);
            return;
          }
        }
      }
    }
  }
}

TEST_CASE("read_marks agrees with StateDocument on every byte at every place") {
  const std::string text =
      "\xEF\xBB\xBF{\"version\": 1, \"keys\": {\"f\\u0070\": {\"mark\": \"cooling\", \"reason\": "
      "\"caf\xC3\xA9 \\ud83d\\ude00\", \"since\": \"2026-11-26T03:00:00Z\", \"status\": -12e0, "
      "\"until\": \"2026-11-26T03:01:00Z\", \"x\": [true, null, 0.5]}}}";
  for (std::size_t pos = 0; pos < text.size(); ++pos) {
    for (int byte = 0; byte < 256; ++byte) {
      std::string replaced = text;
      replaced[pos] = static_cast<char>(byte);
      std::string inserted = text;
      inserted.insert(pos, 1, static_cast<char>(byte));
      for (const auto& damaged : {replaced, inserted}) {
        auto problem = disagreement(damaged);
        if (!problem.empty()) {
          FAIL_CHECK("byte " << byte << " at " << pos << ": " << problem << "\n" << damaged);
          return;
        }
      }
    }
  }
}

TEST_CASE("read_marks reads a 10,000-entry file as StateDocument does") {
  auto text = generated_file(10'000);
  CHECK(disagreement(text) == "");
  pool::MarkMap marks;
  std::string problem;
  REQUIRE(state::read_marks(text, marks, problem) == StateDocument::Parse::ok);
  CHECK(marks.size() == 10'000);
  char fingerprint[48];
  std::snprintf(fingerprint, sizeof fingerprint, "sha256:%032x", 7 * 2654435761u);
  const auto& cooling = marks.at(fingerprint).key_wide.value();
  CHECK(cooling.kind == MarkKind::cooling);
  CHECK(cooling.since == at("2026-11-26T03:00:00Z"));
  CHECK(cooling.until == at("2099-01-01T00:00:07Z"));
  CHECK(cooling.status == 429);
  CHECK(cooling.reason == "rate_limit_error");
  std::snprintf(fingerprint, sizeof fingerprint, "sha256:%032x", 300 * 2654435761u);
  CHECK(marks.at(fingerprint).key_wide.value().kind == MarkKind::disabled);
  CHECK(marks.at(fingerprint).key_wide.value().status == 401);

  // Damaged near its end, the whole file is refused, as the document does.
  for (std::size_t cut : {1, 2, 3, 10, 100}) {
    CAPTURE(cut);
    CHECK(disagreement(std::string_view(text).substr(0, text.size() - cut)) == "");
  }
  auto damaged = text;
  damaged[damaged.size() / 2] = '\x01';
  CHECK(disagreement(damaged) == "");
}

TEST_CASE("read_marks agrees with StateDocument on the depth rule") {
  const int limit = state::k_max_state_depth;
  auto arrays = [](int n) { return std::string(n, '[') + std::string(n, ']'); };
  const std::string entry_start = R"({"version": 1, "keys": {"fp": {"mark": "disabled", "x": )";
  const std::string entry_end = R"(, "since": "2026-11-26T03:00:00Z"}}})";
  std::vector<std::string> texts = {
      // The top-level object is level 1, "keys" 2, an entry 3.
      R"({"version": 1, "x": )" + arrays(limit - 1) + R"(, "keys": {}})",
      R"({"version": 1, "x": )" + arrays(limit) + R"(, "keys": {}})",
      entry_start + arrays(limit - 3) + entry_end,
      entry_start + arrays(limit - 2) + entry_end,
      entry_start + std::string(limit - 4, '[') + "{}" + std::string(limit - 4, ']') + entry_end,
      entry_start + std::string(limit - 3, '[') + "{}" + std::string(limit - 3, ']') + entry_end,
      arrays(limit),
      arrays(limit + 1),
      // Brackets in strings do not count, escaped quotes or not.
      with_reason(std::string(200, '[')),
      with_reason("\\\"" + std::string(200, '{') + "\\\\"),
      // After a NUL byte the text is not JSON for nlohmann, but its brackets
      // still count.
      std::string("{\"version\": 1, \"keys\": {}}\0", 26) + std::string(limit, '['),
      std::string("{\"version\": 1, \"keys\": {}}\0", 26) + std::string(limit + 1, '['),
      std::string("{\"version\": 1, \"keys\": {}}\0", 26) + arrays(limit + 1),
      std::string("{\"version\": 1, \"keys\": {}}\0\"", 27) + std::string(limit + 1, '['),
      std::string("{\"version\": 1, \"keys\": {}}\0\"\\\"", 29) + std::string(limit + 1, '['),
      std::string("{\"version\": 2, \"keys\": {}}  \0 ]]]}}", 35) + std::string(limit + 1, '{'),
      // Invalid JSON: deep after the error, or deep then invalid.
      R"({"version": 1, x)" + std::string(limit + 1, '['),
      R"({"version": 1, x)" + std::string(limit, '['),
      R"({"version": 1, "x": )" + std::string(limit + 1, '[') + "garbage",
      R"({"version": 1, "x": "unterminated )" + std::string(limit + 1, '['),
      R"({"version": 1, "x": 1e400, "y": )" + std::string(limit + 1, '['),
      R"({"version": 1, "x": 1e400, "y": )" + arrays(limit - 1) + "}",
  };
  for (const auto& text : texts) {
    CAPTURE(text);
    CHECK(disagreement(text) == "");
  }
  pool::MarkMap marks;
  std::string problem;
  CHECK(state::read_marks(entry_start + arrays(limit - 3) + entry_end, marks, problem) ==
        StateDocument::Parse::ok);
  CHECK(marks.size() == 1);
  CHECK(state::read_marks(entry_start + arrays(limit - 2) + entry_end, marks, problem) ==
        StateDocument::Parse::corrupt);
  CHECK(problem.find("deeper") != std::string::npos);
}
