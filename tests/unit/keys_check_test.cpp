// The run of `bridge keys check` (check_keys): which keys are probed, how
// each answer is judged (Provider::read, then pool::classify of
// outcome_of), what is recorded in the store, the output and the exit code,
// against an in-memory prober, an in-memory mark store and a manual clock.
#include "keys_check.hpp"

#include "fake_prober.hpp"
#include "test_support.hpp"
#include "upstream/anthropic.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace {

std::string anthropic_error(const std::string& type, const std::string& message,
                            const std::string& code = {}) {
  nlohmann::json error = {{"type", type}, {"message", message}};
  if (!code.empty()) {
    error["details"] = {{"error_code", code}};
  }
  return nlohmann::json{{"type", "error"}, {"error", error}}.dump();
}

upstream::Attempt answer(long status, std::string body = {},
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
  upstream::Attempt attempt;
  attempt.status = status;
  attempt.transfer.status = status;
  attempt.transfer.received_bytes = true;
  for (const auto& [name, value] : headers) {
    attempt.headers.add(name, value);
  }
  attempt.error_body = std::move(body);
  return attempt;
}

upstream::Attempt model_list() {
  return answer(200, R"({"data":[{"id":"claude-sonnet-4-5"}],"has_more":true})");
}

// A store whose every change fails, as a shared store that cannot be
// reached does for the changes that are its whole point.
class RefusingStore final : public pool::MarkStore {
public:
  using MarkStore::record;
  pool::MarkMap load() override { return {}; }
  void record(const keys::Key&, const pool::Scope&, const pool::KeyMark&) override {}
  std::size_t reset(const std::vector<std::string>&) override { return 0; }
  std::size_t reset_all() override { return 0; }
  std::size_t clear_disabled(const std::vector<std::string>&) override {
    throw util::Error(util::ExitCode::unavailable, "redis went away; nothing was changed");
  }
};

struct Check {
  upstream::AnthropicProvider provider;
  std::string base_url = "https://api.example.test";
  app::KeySource source;
  pool::MemoryMarkStore store;
  pool::MarkStore* used_store = &store;
  util::ManualClock clock{*util::parse_rfc3339("2026-11-29T10:00:00Z")};
  test::FakeProber prober;
  std::string said; // what the console said
  app::Console console;
  app::CheckOptions options;

  explicit Check(std::vector<std::string> labels) {
    source.key_file = "/home/test/.config/bridge/keys";
    for (const auto& label : labels) {
      source.keys.push_back(keys::make_key(label, "sk-ant-api03-" + label + "-0123456789"));
    }
    console.capture = &said;
  }

  app::CheckResult run() {
    app::CheckWorld world{provider, base_url, source, used_store, clock, prober, console};
    return app::check_keys(world, options);
  }

  const keys::Key& key(const std::string& label) const {
    for (const auto& key : source.keys) {
      if (key.label == label) {
        return key;
      }
    }
    FAIL("no key " << label);
    throw std::logic_error("unreachable");
  }
  void script(const std::string& label, upstream::Attempt attempt) {
    prober.script("x-api-key: " + key(label).secret, std::move(attempt));
  }
  pool::KeyMarks marks_of(const std::string& label) { return store.load()[key(label).fingerprint]; }
  bool probed(const std::string& label) const {
    for (const auto& sent : prober.sent()) {
      for (const auto& header : sent.headers) {
        if (header == "x-api-key: " + key(label).secret) {
          return true;
        }
      }
    }
    return false;
  }
  // The table row of `label`, without its padding: "LABEL HINT RESULT DETAIL".
  static std::string row_of(const std::string& output, const std::string& label) {
    std::size_t at = output.find("\n" + label + " ");
    REQUIRE(at != std::string::npos);
    return squeeze(output.substr(at + 1, output.find('\n', at + 1) - at - 1));
  }
  // `line` with each run of blanks made one.
  static std::string squeeze(const std::string& line) {
    std::string squeezed;
    for (char c : line) {
      if (!(c == ' ' && !squeezed.empty() && squeezed.back() == ' ')) {
        squeezed += c;
      }
    }
    return squeezed;
  }
  bool no_secret_in(const std::string& text) const {
    for (const auto& key : source.keys) {
      if (text.find(key.secret) != std::string::npos) {
        return false;
      }
    }
    return true;
  }
};

} // namespace

TEST_CASE("keys check: each answer judged as a walk judges it, recorded, shown, exit 0") {
  Check check({"ok", "back", "cool", "r401", "r403", "r429", "r500"});
  auto now = check.clock.now();
  // Marks a walk made earlier: "back" disabled by a 401, "cool" resting.
  check.store.record(check.key("back"), pool::KeyMark::disabled(now, 401, "authentication_error"));
  check.store.record(check.key("cool"),
                     pool::KeyMark::cooling(now, util::Millis{600'000}, 429, "rate_limit_error"));
  check.script("ok", model_list());
  check.script("back", model_list());
  check.script("cool", model_list());
  check.script("r401", answer(401, anthropic_error("authentication_error", "invalid x-api-key")));
  check.script("r403", answer(403, anthropic_error("permission_error", "may not list models")));
  check.script("r429", answer(429, anthropic_error("rate_limit_error", "slow down"),
                              {{"retry-after", "42"}}));
  check.script("r500", answer(500, anthropic_error("api_error", "boom")));

  auto result = check.run();
  CHECK(result.exit_code == 0);
  CHECK_FALSE(result.unchanged);

  // Every key once, all in one batch, with the provider's probe request.
  CHECK(check.prober.batches() == 1);
  REQUIRE(check.prober.sent().size() == 7);
  CHECK(check.prober.sent()[0].url == "https://api.example.test/v1/models?limit=1");
  for (const auto& label : {"ok", "back", "cool", "r401", "r403", "r429", "r500"}) {
    CHECK(check.probed(label));
  }

  // What was recorded.
  CHECK(check.marks_of("ok").unmarked());
  CHECK(check.marks_of("back").unmarked()); // a working key loses its disabled mark
  REQUIRE(check.marks_of("cool").key_wide); // cooldowns stay
  CHECK(pool::is_cooling(*check.marks_of("cool").key_wide, now));
  REQUIRE(check.marks_of("r401").key_wide);
  CHECK(pool::is_disabled(*check.marks_of("r401").key_wide));
  CHECK(check.marks_of("r401").key_wide->reason == "authentication_error");
  REQUIRE(check.marks_of("r403").key_wide);
  CHECK(pool::is_disabled(*check.marks_of("r403").key_wide));
  REQUIRE(check.marks_of("r429").key_wide);
  CHECK(check.marks_of("r429").key_wide->until - now == util::Millis{42'000});
  CHECK(check.marks_of("r429").key_wide->reason == "rate_limit_error");
  CHECK(check.marks_of("r500").empty());
  // A refused key is said without -v, with the way back, as a walk says it.
  CHECK(check.said ==
        "bridge: warning: key r401 (sk-a...6789) was refused (401 authentication_error) and is "
        "disabled until re-enabled: bridge keys reset r401\n"
        "bridge: warning: key r403 (sk-a...6789) was refused (403 permission_error) and is "
        "disabled until re-enabled: bridge keys reset r403\n"
        "bridge: cleared 1 disabled mark\n");

  // The table.
  const std::string& out = result.output;
  CHECK(Check::squeeze(out.substr(0, out.find('\n'))) == "LABEL HINT RESULT DETAIL");
  CHECK(Check::row_of(out, "ok") == "ok sk-a...6789 ok 200 key works");
  CHECK(Check::row_of(out, "back") == "back sk-a...6789 ok 200 key works");
  CHECK(Check::row_of(out, "r401") ==
        "r401 sk-a...6789 refused 401 authentication_error, disabled: invalid x-api-key");
  CHECK(Check::row_of(out, "r403") ==
        "r403 sk-a...6789 refused 403 permission_error, disabled: may not list models");
  CHECK(Check::row_of(out, "r429") ==
        "r429 sk-a...6789 rate_limited 429 rate_limit_error: slow down, cooling for 42s");
  CHECK(Check::row_of(out, "r500") == "r500 sk-a...6789 error 500 api_error: boom");
  CHECK(check.no_secret_in(out));
  CHECK(check.no_secret_in(check.said));
}

TEST_CASE("keys check --json: one object per key, in the order named") {
  Check check({"ok", "r401", "r429", "r500"});
  check.options.json = true;
  check.options.labels = {"r500", "r429", "r401", "ok"};
  check.script("ok", model_list());
  check.script("r401", answer(401, anthropic_error("authentication_error", "invalid x-api-key")));
  check.script("r429", answer(429, anthropic_error("rate_limit_error", "slow down"),
                              {{"retry-after", "42"}}));
  check.script("r500", answer(500, anthropic_error("api_error", "boom")));
  auto result = check.run();
  CHECK(result.exit_code == 0);
  auto rows = nlohmann::json::parse(result.output);
  auto expected = nlohmann::json::parse(R"([
    {"label":"r500","hint":"sk-a...6789","result":"error","status":500,"message":"boom"},
    {"label":"r429","hint":"sk-a...6789","result":"rate_limited","status":429,"message":"slow down",
     "limit":"rate","until":"2026-11-29T10:00:42.000Z"},
    {"label":"r401","hint":"sk-a...6789","result":"refused","status":401,
     "message":"invalid x-api-key"},
    {"label":"ok","hint":"sk-a...6789","result":"ok","status":200,"message":""}])");
  CHECK(rows == expected);
  // The keys probed are the ones named, in that order.
  REQUIRE(check.prober.sent().size() == 4);
  CHECK(check.prober.sent()[0].headers[0] == "x-api-key: " + check.key("r500").secret);
  CHECK(check.prober.sent()[3].headers[0] == "x-api-key: " + check.key("ok").secret);
}

TEST_CASE("keys check: only the named keys are probed; an unknown label probes nothing") {
  Check check({"one", "two", "three"});
  check.options.labels = {"two"};
  check.script("two", model_list());
  CHECK(check.run().exit_code == 0);
  CHECK(check.probed("two"));
  CHECK_FALSE(check.probed("one"));
  CHECK_FALSE(check.probed("three"));

  Check unknown({"one"});
  unknown.options.labels = {"nosuch"};
  try {
    unknown.run();
    FAIL("an unknown label was accepted");
  } catch (const util::Error& error) {
    CHECK(error.code() == util::ExitCode::usage);
    CHECK(std::string(error.what()).find("no key labelled 'nosuch'") != std::string::npos);
  }
  CHECK(unknown.prober.sent().empty());
}

TEST_CASE("keys check: a 200 cut off mid-answer proves nothing and clears no disabled mark") {
  Check check({"cut"});
  auto now = check.clock.now();
  check.store.record(check.key("cut"), pool::KeyMark::disabled(now, 401, "authentication_error"));
  upstream::Attempt cut = answer(200);
  cut.transfer.error = upstream::TransferResult::Error::dropped;
  cut.transfer.message = "Transferred a partial file";
  check.script("cut", cut);
  auto result = check.run();
  CHECK(Check::row_of(result.output, "cut") ==
        "cut sk-a...6789 error 200, then failed: Transferred a partial file");
  CHECK(result.exit_code == static_cast<int>(util::ExitCode::upstream_error));
  REQUIRE(check.marks_of("cut").key_wide);
  CHECK(pool::is_disabled(*check.marks_of("cut").key_wide)); // still disabled
  CHECK(check.said.find("cleared") == std::string::npos);

  check.options.json = true;
  auto rows = nlohmann::json::parse(check.run().output);
  CHECK(rows[0]["result"] == "error");
  CHECK(rows[0]["status"] == 200);
  CHECK(rows[0]["message"] == "the answer was cut off: Transferred a partial file");
}

TEST_CASE("keys check: a spend or billing limit is named, with its end as a date") {
  Check check({"spend", "usage", "billing"});
  auto now = check.clock.now();
  check.script(
      "spend",
      answer(429, anthropic_error("rate_limit_error",
                                  "You have reached your specified API usage limits. You will "
                                  "regain access on 2026-12-29 at 00:00 UTC.",
                                  "enforced_spend_limit_reached")));
  check.script("usage", answer(400, anthropic_error("invalid_request_error",
                                                    "You have reached your specified API usage "
                                                    "limits.")));
  check.script("billing", answer(402, anthropic_error("billing_error", "add a card")));
  auto result = check.run();
  // Rate-limited for now (75): every key rests.
  CHECK(result.exit_code == static_cast<int>(util::ExitCode::temp_fail));
  std::string spend_row = Check::row_of(result.output, "spend");
  CHECK(spend_row.rfind("spend sk-a...6789 rate_limited 429 rate_limit_error: ", 0) == 0);
  CHECK(spend_row.ends_with(", spend limit until 2026-12-29T00:00:00.000Z"));
  CHECK(spend_row.find("cooling for") == std::string::npos); // not "720h00m"
  CHECK(Check::row_of(result.output, "usage")
            .ends_with(", spend limit until " + util::format_rfc3339(now + std::chrono::hours(1))));
  CHECK(Check::row_of(result.output, "billing") ==
        "billing sk-a...6789 rate_limited 402 billing_error: add a card, billing problem until " +
            util::format_rfc3339(now + std::chrono::hours(1)));

  // Recorded as a walk records them: for every model, with the limit's reason.
  auto spend = check.marks_of("spend");
  REQUIRE(spend.key_wide);
  CHECK(spend.key_wide->reason == "spend_limit");
  CHECK(spend.key_wide->until == *util::parse_rfc3339("2026-12-29T00:00:00Z"));
  REQUIRE(check.marks_of("usage").key_wide);
  CHECK(check.marks_of("usage").key_wide->reason == "spend_limit");
  REQUIRE(check.marks_of("billing").key_wide);
  CHECK(check.marks_of("billing").key_wide->reason == "billing");

  check.options.json = true;
  auto rows = nlohmann::json::parse(check.run().output);
  CHECK(rows[0]["result"] == "rate_limited");
  CHECK(rows[0]["limit"] == "spend");
  CHECK(rows[0]["until"] == "2026-12-29T00:00:00.000Z");
  CHECK(rows[2]["limit"] == "billing");
}

TEST_CASE("keys check: the exit code when no key works") {
  auto refused = [] { return answer(401, anthropic_error("authentication_error", "no")); };
  auto limited = [] {
    return answer(429, anthropic_error("rate_limit_error", "slow"), {{"retry-after", "5"}});
  };
  auto failed = [] { return answer(500, anthropic_error("api_error", "boom")); };
  upstream::Attempt unreachable;
  unreachable.transfer.error = upstream::TransferResult::Error::connect;
  unreachable.transfer.message = "Could not connect to server";

  SUBCASE("every key refused: 77") {
    Check check({"a", "b"});
    check.script("a", refused());
    check.script("b", answer(403, anthropic_error("permission_error", "no")));
    CHECK(check.run().exit_code == static_cast<int>(util::ExitCode::no_permission));
  }
  SUBCASE("every key rate-limited: 75, as a walk that finds every key cooling") {
    Check check({"a", "b"});
    check.script("a", limited());
    check.script("b", limited());
    CHECK(check.run().exit_code == static_cast<int>(util::ExitCode::temp_fail));
  }
  SUBCASE("rate-limited or refused: 75") {
    Check check({"a", "b"});
    check.script("a", limited());
    check.script("b", refused());
    CHECK(check.run().exit_code == static_cast<int>(util::ExitCode::temp_fail));
  }
  SUBCASE("an error that is not the key's: 1") {
    Check check({"a", "b"});
    check.script("a", limited());
    check.script("b", failed());
    CHECK(check.run().exit_code == static_cast<int>(util::ExitCode::upstream_error));
  }
  SUBCASE("upstream unreachable: 69, naming the base URL") {
    Check check({"a", "b"});
    check.script("a", limited());
    check.script("b", unreachable);
    auto result = check.run();
    CHECK(result.exit_code == static_cast<int>(util::ExitCode::unavailable));
    CHECK(Check::row_of(result.output, "b") ==
          "b sk-a...6789 error cannot reach https://api.example.test: Could not connect to server");
  }
  SUBCASE("one key works: 0") {
    Check check({"a", "b", "c"});
    check.script("a", failed());
    check.script("b", unreachable);
    check.script("c", model_list());
    CHECK(check.run().exit_code == 0);
  }
}

TEST_CASE("keys check: an interrupt ends the check before anything is recorded") {
  Check check({"a", "b"});
  check.script("a", answer(401, anthropic_error("authentication_error", "no")));
  upstream::Attempt interrupted;
  interrupted.transfer.error = upstream::TransferResult::Error::interrupted;
  check.script("b", interrupted);
  try {
    check.run();
    FAIL("an interrupt was not thrown");
  } catch (const util::Error& error) {
    CHECK(error.code() == util::ExitCode::interrupted);
  }
  CHECK(check.marks_of("a").empty());
}

TEST_CASE("keys check: without a store (a lone key) nothing is recorded, the rows are shown") {
  Check check({"a", "b"});
  check.used_store = nullptr;
  check.script("a", answer(401, anthropic_error("authentication_error", "no")));
  check.script("b", model_list());
  auto result = check.run();
  CHECK(result.exit_code == 0);
  CHECK(Check::row_of(result.output, "a") ==
        "a sk-a...6789 refused 401 authentication_error, disabled: no");
  CHECK(check.store.marks().empty());
  CHECK(check.said.empty());
}

TEST_CASE("keys check: a store that cannot clear a mark still lets the rows be shown") {
  Check check({"a"});
  RefusingStore refusing;
  check.used_store = &refusing;
  check.script("a", model_list());
  auto result = check.run();
  CHECK(Check::row_of(result.output, "a") == "a sk-a...6789 ok 200 key works");
  REQUIRE(result.unchanged);
  CHECK(result.unchanged->code() == util::ExitCode::unavailable);
}
