#include "state/file/state_document.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using nlohmann::json;
using pool::KeyMark;
using pool::MarkKind;
using state::StateDocument;
using test::at;
using test::ms;

namespace {

const util::TimePoint k_t0 = at("2026-11-26T03:00:00Z");

StateDocument parsed(const std::string& text) {
  StateDocument doc;
  std::string problem;
  REQUIRE_MESSAGE(StateDocument::parse(text, doc, problem) == StateDocument::Parse::ok, problem);
  return doc;
}

json as_json(const StateDocument& doc) { return json::parse(doc.serialize()); }

const keys::Key k_alpha = keys::make_key("alpha", "sk-ant-api03-SECRET-alpha-000000");
const keys::Key k_beta = keys::make_key("beta", "sk-ant-api03-SECRET-beta-111111");

} // namespace

TEST_CASE("state document: a new document is version 1 with no keys") {
  StateDocument doc;
  CHECK(doc.size() == 0);
  CHECK(doc.marks().empty());
  auto j = as_json(doc);
  CHECK(j["version"] == 1);
  CHECK(j["keys"].is_object());
  CHECK(j["keys"].empty());
  CHECK(doc.serialize().back() == '\n');
}

TEST_CASE("state document: parse accepts a valid file and reads its marks") {
  std::string text = R"({"version": 1, "keys": {
    "sha256:00000000000000000000000000000001": {"label": "a", "hint": "sk-a...aaaa",
      "mark": "cooling", "since": "2026-11-26T03:00:00.000Z", "until": "2026-11-26T03:00:30.000Z",
      "status": 429, "reason": "rate_limit_error"},
    "sha256:00000000000000000000000000000002": {"label": "b", "mark": "disabled",
      "since": "2026-11-26T02:00:00Z", "status": 401, "reason": "authentication_error"}}})";
  auto doc = parsed(text);
  CHECK(doc.size() == 2);
  auto marks = doc.marks();
  REQUIRE(marks.size() == 2);
  const auto& a = marks.at("sha256:00000000000000000000000000000001").key_wide.value();
  CHECK(a.kind == MarkKind::cooling);
  CHECK(a.since == k_t0);
  CHECK(a.until == k_t0 + ms(30'000));
  CHECK(a.status == 429);
  CHECK(a.reason == "rate_limit_error");
  const auto& b = marks.at("sha256:00000000000000000000000000000002").key_wide.value();
  CHECK(b.kind == MarkKind::disabled);
  CHECK(b.since == k_t0 - ms(3'600'000));
  CHECK(b.status == 401);
}

TEST_CASE("state document: a file without \"keys\" is an empty document") {
  auto doc = parsed(R"({"version": 1})");
  CHECK(doc.size() == 0);
  CHECK(as_json(doc)["keys"].is_object());
}

TEST_CASE("state document: corrupt files") {
  for (const std::string& text :
       std::vector<std::string>{"", "   ", "not json", "{\"version\": 1,", "[1, 2]", "\"text\"",
                                "42", "null", "{}", R"({"version": "1", "keys": {}})",
                                R"({"version": 1.5, "keys": {}})", R"({"version": 0, "keys": {}})",
                                R"({"version": -1, "keys": {}})", R"({"version": 1, "keys": []})",
                                R"({"version": 1, "keys": "x"})", std::string("\0\0\0\0", 4)}) {
    CAPTURE(text);
    StateDocument doc;
    doc.merge(k_alpha, KeyMark::disabled(k_t0, 401, "")); // must not be touched
    std::string problem;
    CHECK(StateDocument::parse(text, doc, problem) == StateDocument::Parse::corrupt);
    CHECK_FALSE(problem.empty());
    CHECK(doc.size() == 1);
  }
}

TEST_CASE("state document: a newer version is recognised as such") {
  for (std::string text :
       {R"({"version": 2, "keys": {}})", R"({"version": 99, "keys": [], "whatever": true})"}) {
    CAPTURE(text);
    StateDocument doc;
    std::string problem;
    CHECK(StateDocument::parse(text, doc, problem) == StateDocument::Parse::newer_version);
    CHECK_FALSE(problem.empty());
  }
}

TEST_CASE("state document: merge writes label, hint and mark, and reads back") {
  StateDocument doc;
  doc.merge(k_alpha, KeyMark::cooling(k_t0, ms(30'000), 429, "rate_limit_error"));
  doc.merge(k_beta, KeyMark::disabled(k_t0, 403, "permission_error"));
  auto j = as_json(doc);
  const auto& alpha = j["keys"][k_alpha.fingerprint];
  CHECK(alpha["label"] == "alpha");
  CHECK(alpha["hint"] == k_alpha.hint);
  CHECK(alpha["mark"] == "cooling");
  CHECK(alpha["since"] == "2026-11-26T03:00:00.000Z");
  CHECK(alpha["until"] == "2026-11-26T03:00:30.000Z");
  CHECK(alpha["status"] == 429);
  CHECK(alpha["reason"] == "rate_limit_error");
  const auto& beta = j["keys"][k_beta.fingerprint];
  CHECK(beta["mark"] == "disabled");
  CHECK_FALSE(beta.contains("until"));
  CHECK(beta["status"] == 403);

  auto again = parsed(doc.serialize());
  auto marks = again.marks();
  REQUIRE(marks.count(k_alpha.fingerprint) == 1);
  CHECK(marks.at(k_alpha.fingerprint).key_wide.value().until == k_t0 + ms(30'000));
  CHECK(marks.at(k_beta.fingerprint).key_wide.value().kind == MarkKind::disabled);
}

TEST_CASE("state document: merge follows merge_marks") {
  StateDocument doc;
  SUBCASE("a shorter cooldown does not shorten a longer one") {
    doc.merge(k_alpha, KeyMark::cooling(k_t0, ms(120'000), 429, "long"));
    doc.merge(k_alpha, KeyMark::cooling(k_t0 + ms(1'000), ms(5'000), 429, "short"));
    auto mark = doc.marks().at(k_alpha.fingerprint).key_wide.value();
    CHECK(mark.until == k_t0 + ms(120'000));
    CHECK(mark.reason == "long");
  }
  SUBCASE("a later end wins") {
    doc.merge(k_alpha, KeyMark::cooling(k_t0, ms(5'000), 429, "short"));
    doc.merge(k_alpha, KeyMark::cooling(k_t0, ms(50'000), 429, "long"));
    CHECK(doc.marks().at(k_alpha.fingerprint).key_wide.value().until == k_t0 + ms(50'000));
  }
  SUBCASE("disabled beats cooling, both ways") {
    doc.merge(k_alpha, KeyMark::disabled(k_t0, 401, "authentication_error"));
    doc.merge(k_alpha, KeyMark::cooling(k_t0, ms(50'000), 429, "rate_limit_error"));
    CHECK(doc.marks().at(k_alpha.fingerprint).key_wide.value().kind == MarkKind::disabled);
    CHECK_FALSE(as_json(doc)["keys"][k_alpha.fingerprint].contains("until"));
    doc.merge(k_beta, KeyMark::cooling(k_t0, ms(50'000), 429, "rate_limit_error"));
    doc.merge(k_beta, KeyMark::disabled(k_t0, 403, "permission_error"));
    CHECK(doc.marks().at(k_beta.fingerprint).key_wide.value().kind == MarkKind::disabled);
    CHECK_FALSE(as_json(doc)["keys"][k_beta.fingerprint].contains("until"));
  }
  SUBCASE("a renamed key gets its new label") {
    doc.merge(k_alpha, KeyMark::cooling(k_t0, ms(5'000), 429, ""));
    auto renamed = keys::make_key("renamed", k_alpha.secret);
    doc.merge(renamed, KeyMark::cooling(k_t0, ms(5'000), 429, ""));
    CHECK(doc.size() == 1);
    CHECK(as_json(doc)["keys"][k_alpha.fingerprint]["label"] == "renamed");
  }
}

TEST_CASE("state document: unknown fields survive merge and serialize, at every level") {
  std::string text = R"({"version": 1, "written_by": "bridge 9.0", "extra": {"n": [1, 2, 3]},
    "keys": {
      ")" + k_alpha.fingerprint +
                     R"(": {"label": "old", "mark": "cooling", "since": "2026-11-26T03:00:00Z",
        "until": "2026-11-26T03:01:00Z", "status": 429, "reason": "rate_limit_error",
        "note": "kept", "history": [{"at": "2026-01-01T00:00:00Z"}]},
      "sha256:ffffffffffffffffffffffffffffffff": {"mark": "someday-a-new-kind", "custom": 7}}})";
  auto doc = parsed(text);
  doc.merge(k_alpha, KeyMark::disabled(k_t0, 401, "authentication_error"));
  doc.merge(k_beta, KeyMark::cooling(k_t0, ms(1'000), 429, ""));
  auto j = as_json(parsed(doc.serialize()));
  CHECK(j["written_by"] == "bridge 9.0");
  CHECK(j["extra"]["n"] == json::array({1, 2, 3}));
  const auto& alpha = j["keys"][k_alpha.fingerprint];
  CHECK(alpha["note"] == "kept");
  CHECK(alpha["history"][0]["at"] == "2026-01-01T00:00:00Z");
  CHECK(alpha["mark"] == "disabled");
  CHECK(alpha["label"] == "alpha");
  // An entry that does not read as a mark is not a mark, but stays in the file.
  const auto& future = j["keys"]["sha256:ffffffffffffffffffffffffffffffff"];
  CHECK(future["mark"] == "someday-a-new-kind");
  CHECK(future["custom"] == 7);
  CHECK(doc.marks().count("sha256:ffffffffffffffffffffffffffffffff") == 0);
  CHECK(doc.size() == 3);
}

TEST_CASE("state document: entries that do not read as marks are ignored by marks()") {
  std::string text = R"({"version": 1, "keys": {
    "sha256:1": {"mark": "cooling", "since": "2026-11-26T03:00:00Z"},
    "sha256:2": {"mark": "cooling", "since": "yesterday", "until": "2026-11-26T03:00:00Z"},
    "sha256:3": {"mark": "disabled"},
    "sha256:4": "not an object",
    "sha256:5": {"mark": 1},
    "sha256:6": {"mark": "disabled", "since": "2026-11-26T03:00:00Z", "status": "401"}}})";
  auto doc = parsed(text);
  auto marks = doc.marks();
  CHECK(marks.size() == 1);
  REQUIRE(marks.count("sha256:6") == 1);
  CHECK(marks.at("sha256:6").key_wide.value().status ==
        0); // a status that is not a number is not read
  CHECK(doc.size() == 6);
}

TEST_CASE("state document: prune removes only cooldowns that have ended") {
  StateDocument doc;
  auto gamma = keys::make_key("gamma", "sk-ant-api03-gamma-22222222");
  doc.merge(k_alpha, KeyMark::cooling(k_t0, ms(10'000), 429, ""));     // ends at t0+10s
  doc.merge(k_beta, KeyMark::cooling(k_t0, ms(60'000), 429, ""));      // ends at t0+60s
  doc.merge(gamma, KeyMark::disabled(k_t0 - ms(86'400'000), 401, "")); // never ends
  std::string text = doc.serialize();
  auto with_unknown = json::parse(text);
  with_unknown["keys"]["sha256:unknown"] = {{"mark", "future"}};
  doc = parsed(with_unknown.dump());

  doc.prune(k_t0 + ms(9'999));
  CHECK(doc.size() == 4);
  doc.prune(k_t0 + ms(10'000));
  CHECK(doc.size() == 3);
  CHECK(doc.marks().count(k_alpha.fingerprint) == 0);
  CHECK(doc.marks().count(k_beta.fingerprint) == 1);
  doc.prune(k_t0 + ms(3'600'000));
  CHECK(doc.size() == 2);
  CHECK(doc.marks().count(gamma.fingerprint) == 1);
  CHECK(as_json(doc)["keys"].contains("sha256:unknown"));
}

TEST_CASE("state document: prune keeps a cooldown when the clock went backwards") {
  StateDocument doc;
  doc.merge(k_alpha, KeyMark::cooling(k_t0, ms(10'000), 429, ""));
  doc.prune(k_t0 - ms(3'600'000));
  CHECK(doc.size() == 1);
}

TEST_CASE("state document: remove and clear") {
  StateDocument doc;
  doc.merge(k_alpha, KeyMark::disabled(k_t0, 401, ""));
  doc.merge(k_beta, KeyMark::disabled(k_t0, 401, ""));
  CHECK(doc.remove(k_alpha.fingerprint));
  CHECK_FALSE(doc.remove(k_alpha.fingerprint));
  CHECK(doc.size() == 1);
  CHECK(doc.clear() == 1);
  CHECK(doc.size() == 0);
  CHECK(doc.clear() == 0);
  CHECK(as_json(doc)["version"] == 1);
}

TEST_CASE("state document: the serialized text never contains a key") {
  StateDocument doc;
  doc.merge(k_alpha, KeyMark::cooling(k_t0, ms(10'000), 429, "rate_limit_error"));
  doc.merge(k_beta, KeyMark::disabled(k_t0, 401, "authentication_error"));
  auto text = doc.serialize();
  CHECK(text.find(k_alpha.secret) == std::string::npos);
  CHECK(text.find(k_beta.secret) == std::string::npos);
  CHECK(text.find("SECRET") == std::string::npos);
  CHECK(text.find(k_alpha.fingerprint) != std::string::npos);
}

TEST_CASE("state document: a label that is not valid UTF-8 is written, not thrown") {
  StateDocument doc;
  auto key = keys::make_key("bad\xFF\xFElabel", "sk-ant-api03-abcdefghijkl");
  CHECK_NOTHROW(doc.merge(key, KeyMark::disabled(k_t0, 401, "")));
  std::string text;
  CHECK_NOTHROW(text = doc.serialize());
  auto back = parsed(text);
  CHECK(back.marks().count(key.fingerprint) == 1);
}

// ---------------------------------------------------------------------------
// Per-model marks (docs/marks.md): version 1 still, read and written both ways.

TEST_CASE("state document: per-model marks and limits go under \"models\" and read back") {
  StateDocument doc;
  doc.merge(k_alpha, pool::Scope::of_model("claude-opus-4-1"),
            KeyMark::cooling(k_t0, ms(30'000), 429, "rate_limit_error"));
  doc.set_limits(k_alpha, "claude-opus-4-1",
                 pool::ModelLimits{k_t0, {{"requests", 0, 50, k_t0 + ms(7'000)}}});
  auto j = as_json(doc);
  CHECK(j["version"] == 1);
  const auto& entry = j["keys"][k_alpha.fingerprint];
  CHECK(entry["label"] == "alpha");
  // No key-wide mark: older readers see a key with no mark, as they should.
  CHECK_FALSE(entry.contains("mark"));
  CHECK_FALSE(entry.contains("until"));
  const auto& opus = entry["models"]["claude-opus-4-1"];
  CHECK(opus["mark"] == "cooling");
  CHECK(opus["until"] == "2026-11-26T03:00:30.000Z");
  CHECK(opus["status"] == 429);
  CHECK(opus["limits"]["seen"] == "2026-11-26T03:00:00.000Z");
  CHECK(opus["limits"]["requests"]["remaining"] == 0);
  CHECK(opus["limits"]["requests"]["limit"] == 50);
  CHECK(opus["limits"]["requests"]["reset"] == "2026-11-26T03:00:07.000Z");

  auto marks = parsed(doc.serialize()).marks();
  const auto& alpha = marks.at(k_alpha.fingerprint);
  CHECK_FALSE(alpha.key_wide);
  CHECK(alpha.models.at("claude-opus-4-1").until == k_t0 + ms(30'000));
  CHECK(alpha.limits.at("claude-opus-4-1").readings.at(0).remaining == 0);
}

TEST_CASE("state document: a file as the previous release writes it reads as key-wide marks") {
  // Exactly the shape bridge 0.x (no per-model marks) writes.
  auto doc = parsed(R"({
  "keys": {
    "sha256:aaaa": {"hint": "sk-a...aaaa", "label": "a", "mark": "cooling", "reason": "rate_limit_error",
                    "since": "2026-11-26T03:00:00.000Z", "status": 429, "until": "2026-11-26T03:01:00.000Z"},
    "sha256:bbbb": {"hint": "sk-a...bbbb", "label": "b", "mark": "disabled", "reason": "authentication_error",
                    "since": "2026-11-26T02:00:00.000Z", "status": 401}
  },
  "version": 1
})");
  auto marks = doc.marks();
  REQUIRE(marks.size() == 2);
  const auto& a = marks.at("sha256:aaaa");
  REQUIRE(a.key_wide);
  CHECK(a.models.empty());
  for (const char* model : {"claude-opus-4-1", "claude-haiku-4-5", ""}) {
    CAPTURE(model);
    auto block = a.blocking(model, k_t0 + ms(1'000));
    REQUIRE(block);
    CHECK(block->scope.key_wide());
  }
  CHECK(marks.at("sha256:bbbb").key_wide->kind == MarkKind::disabled);
}

TEST_CASE("state document: the key-wide fields keep their meaning beside per-model marks") {
  // What an older reader reads from our file is the top-level fields only:
  // they must still say exactly the key-wide mark, never a per-model one.
  StateDocument doc;
  doc.merge(k_alpha, pool::Scope::every_model(),
            KeyMark::cooling(k_t0, ms(3'600'000), 402, "billing"));
  doc.merge(k_alpha, pool::Scope::of_model("opus"), KeyMark::cooling(k_t0, ms(7'200'000), 429, ""));
  doc.merge(k_beta, pool::Scope::of_model("opus"), KeyMark::cooling(k_t0, ms(30'000), 429, ""));
  auto j = as_json(doc);
  const auto& alpha = j["keys"][k_alpha.fingerprint];
  CHECK(alpha["mark"] == "cooling");
  CHECK(alpha["until"] == "2026-11-26T04:00:00.000Z"); // the key-wide hour, not opus's two
  CHECK(alpha["status"] == 402);
  CHECK(alpha["reason"] == "billing");
  CHECK_FALSE(j["keys"][k_beta.fingerprint].contains("mark"));
  // An older bridge's own merge writes only those fields and keeps "models".
  json older = j;
  older["keys"][k_beta.fingerprint]["mark"] = "disabled";
  older["keys"][k_beta.fingerprint]["since"] = "2026-11-26T03:00:00.000Z";
  older["keys"][k_beta.fingerprint]["status"] = 401;
  auto back = parsed(older.dump()).marks();
  const auto& beta = back.at(k_beta.fingerprint);
  CHECK(beta.key_wide->kind == MarkKind::disabled);
  CHECK(beta.models.count("opus") == 1);
  CHECK(beta.blocking("haiku", k_t0)->mark->kind == MarkKind::disabled);
}

TEST_CASE("state document: prune drops ended per-model cooldowns, then the entry") {
  StateDocument doc;
  doc.merge(k_alpha, pool::Scope::of_model("opus"), KeyMark::cooling(k_t0, ms(10'000), 429, ""));
  doc.merge(k_alpha, pool::Scope::of_model("haiku"), KeyMark::cooling(k_t0, ms(60'000), 429, ""));
  doc.merge(k_beta, pool::Scope::of_model("opus"), KeyMark::cooling(k_t0, ms(10'000), 429, ""));
  doc.set_limits(k_beta, "opus", pool::ModelLimits{k_t0, {{"requests", 5, 50, std::nullopt}}});
  doc.prune(k_t0 + ms(20'000));
  auto j = as_json(doc);
  CHECK_FALSE(j["keys"][k_alpha.fingerprint]["models"].contains("opus"));
  CHECK(j["keys"][k_alpha.fingerprint]["models"].contains("haiku"));
  // Beta keeps its limits (seen within the day) but not the cooldown.
  CHECK_FALSE(j["keys"][k_beta.fingerprint]["models"]["opus"].contains("mark"));
  CHECK(j["keys"][k_beta.fingerprint]["models"]["opus"].contains("limits"));
  doc.prune(k_t0 + ms(25LL * 3600 * 1000));
  CHECK(doc.size() == 0);
}

TEST_CASE("state document: clear_disabled clears a disabled mark only") {
  StateDocument doc;
  doc.merge(k_alpha, KeyMark::disabled(k_t0, 401, "authentication_error"));
  doc.merge(k_alpha, pool::Scope::of_model("opus"), KeyMark::cooling(k_t0, ms(60'000), 429, ""));
  doc.merge(k_beta, KeyMark::cooling(k_t0, ms(60'000), 429, ""));
  CHECK(doc.clear_disabled(k_alpha.fingerprint));
  CHECK_FALSE(doc.clear_disabled(k_beta.fingerprint));
  CHECK_FALSE(doc.clear_disabled("sha256:none"));
  auto marks = doc.marks();
  CHECK_FALSE(marks.at(k_alpha.fingerprint).key_wide);
  CHECK(marks.at(k_alpha.fingerprint).models.count("opus") == 1);
  CHECK(marks.at(k_beta.fingerprint).key_wide->kind == MarkKind::cooling);
  CHECK(as_json(doc)["keys"][k_alpha.fingerprint]["label"] == "alpha");
}
