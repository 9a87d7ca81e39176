#include "pool/walker.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

using pool::AttemptOutcome;
using pool::KeyMark;
using pool::MarkKind;
using pool::MemoryMarkStore;
using pool::Walker;
using pool::WalkOptions;
using pool::WalkResult;
using test::at;
using test::ms;

namespace {

const util::TimePoint k_t0 = at("2026-11-26T03:00:00Z");

std::vector<keys::Key> make_keys(std::initializer_list<const char*> labels) {
  std::vector<keys::Key> keys;
  for (const char* label : labels) {
    keys.push_back(keys::make_key(label, std::string("sk-ant-test-") + label + "-0123456789"));
  }
  return keys;
}

AttemptOutcome ok() { return AttemptOutcome::answer(200); }

AttemptOutcome rate_limited(long long retry_after_ms = 0) {
  auto outcome = AttemptOutcome::answer(429, "rate_limit_error");
  outcome.retry_after = ms(retry_after_ms);
  return outcome;
}

AttemptOutcome status(int code, const char* type = "api_error") {
  return AttemptOutcome::answer(code, type);
}

// Scripted answers per key label, and a log of the attempts made.
class FakeUpstream {
public:
  void script(const std::string& label, std::initializer_list<AttemptOutcome> outcomes) {
    for (const auto& outcome : outcomes) {
      m_outcomes[label].push_back(outcome);
    }
  }
  // Runs before each attempt's answer, with the label of the key attempted.
  std::function<void(const keys::Key&)> on_attempt;

  pool::AttemptFn fn() {
    return [this](const keys::Key& key) {
      calls.push_back(key.label);
      if (on_attempt) {
        on_attempt(key);
      }
      auto& queue = m_outcomes[key.label];
      if (queue.empty()) {
        FAIL_CHECK("unscripted attempt with key " << key.label);
        return AttemptOutcome::answer(599);
      }
      auto outcome = queue.front();
      queue.pop_front();
      return outcome;
    };
  }
  bool all_used() const {
    for (const auto& [label, queue] : m_outcomes) {
      if (!queue.empty()) {
        return false;
      }
    }
    return true;
  }

  std::vector<std::string> calls;

private:
  std::map<std::string, std::deque<AttemptOutcome>> m_outcomes;
};

// Remembers what the walk told.
struct Recorder final : pool::WalkObserver {
  void skipped(const keys::Key& key, const pool::Block&, util::TimePoint) override {
    skips.push_back(key.label);
  }
  void attempted(const keys::Key& key, const AttemptOutcome&, pool::Verdict) override {
    attempts.push_back(key.label);
  }
  void retrying(const keys::Key& key, int retry, util::Millis delay) override {
    retries.push_back(key.label + "#" + std::to_string(retry));
    retry_delays.push_back(delay);
  }
  void waiting(util::Millis delay) override { waits.push_back(delay); }
  void preferred(const keys::Key& key) override { preferences.push_back(key.label); }
  void waiting_for_affinity(const keys::Key& key, util::Millis delay) override {
    affinity_waits.emplace_back(key.label, delay);
  }

  std::vector<std::string> skips, attempts, retries, preferences;
  std::vector<util::Millis> retry_delays, waits;
  std::vector<std::pair<std::string, util::Millis>> affinity_waits;
};

using Labels = std::vector<std::string>;

WalkOptions fixed_jitter(double jitter, int retries = 0) {
  WalkOptions options;
  options.retries = retries;
  options.jitter = [jitter] { return jitter; };
  return options;
}

const KeyMark* mark_of(const MemoryMarkStore& store, const keys::Key& key) {
  auto it = store.marks().find(key.fingerprint);
  return it == store.marks().end() || !it->second.key_wide ? nullptr : &*it->second.key_wide;
}

// The set-up every walk test repeats: the keys (the test sets them with
// make_keys), an empty in-memory store, a manual clock at k_t0, the scripted
// upstream and a recorder. TEST_CASE_FIXTURE makes a fresh one for every run
// of the test case, so for every SUBCASE, and for every row of a table of
// cases run as SUBCASEs.
struct Pool {
  std::vector<keys::Key> keys;
  MemoryMarkStore store;
  util::ManualClock clock{k_t0};
  FakeUpstream upstream;
  Recorder recorder;
};

// The name of row INDEX of a table of cases run as SUBCASEs.
std::string row_name(std::size_t index) { return "row " + std::to_string(index); }

} // namespace

TEST_CASE_FIXTURE(Pool,
                  "walker: the first key that answers 2xx serves; later keys are not touched") {
  keys = make_keys({"a", "b", "c"});
  upstream.script("a", {ok()});
  auto result = Walker(keys, store, clock).walk(upstream.fn());
  CHECK(result.kind == WalkResult::Kind::success);
  REQUIRE(result.key != nullptr);
  CHECK(result.key->label == "a");
  CHECK(result.attempts == 1);
  CHECK(upstream.calls == Labels{"a"});
  CHECK(store.marks().empty());
}

TEST_CASE_FIXTURE(Pool, "walker: keys are tried in key-file order") {
  keys = make_keys({"a", "b", "c", "d"});
  upstream.script("a", {rate_limited(1000)});
  upstream.script("b", {status(401, "authentication_error")});
  upstream.script("c", {status(403, "permission_error")});
  upstream.script("d", {ok()});
  auto result = Walker(keys, store, clock).walk(upstream.fn(), &recorder);
  CHECK(result.kind == WalkResult::Kind::success);
  REQUIRE(result.key != nullptr);
  CHECK(result.key->label == "d");
  CHECK(result.attempts == 4);
  CHECK(upstream.calls == Labels{"a", "b", "c", "d"});
  CHECK(recorder.attempts == Labels{"a", "b", "c", "d"});
}

TEST_CASE_FIXTURE(Pool, "walker: a 429 cools the key for the delay it asks for, or 60 s") {
  keys = make_keys({"a", "b"});
  SUBCASE("with a delay") {
    upstream.script("a", {rate_limited(7'500)});
    upstream.script("b", {ok()});
    // The request itself takes a second: the cooldown starts when it ended.
    upstream.on_attempt = [&](const keys::Key&) { clock.advance(ms(1'000)); };
    auto result = Walker(keys, store, clock).walk(upstream.fn());
    CHECK(result.kind == WalkResult::Kind::success);
    auto* mark = mark_of(store, keys[0]);
    REQUIRE(mark != nullptr);
    CHECK(mark->kind == MarkKind::cooling);
    CHECK(mark->since == k_t0 + ms(1'000));
    CHECK(mark->until == k_t0 + ms(8'500));
    CHECK(mark->status == 429);
    CHECK(mark->reason == "rate_limit_error");
    CHECK(mark_of(store, keys[1]) == nullptr);
  }
  SUBCASE("without a delay: 60 s") {
    upstream.script("a", {rate_limited(0)});
    upstream.script("b", {ok()});
    Walker(keys, store, clock).walk(upstream.fn());
    auto* mark = mark_of(store, keys[0]);
    REQUIRE(mark != nullptr);
    CHECK(mark->until - mark->since == ms(60'000));
  }
  SUBCASE("without a delay: the configured default") {
    upstream.script("a", {rate_limited(0)});
    upstream.script("b", {ok()});
    WalkOptions options;
    options.default_cooldown = ms(15'000);
    Walker(keys, store, clock, options).walk(upstream.fn());
    auto* mark = mark_of(store, keys[0]);
    REQUIRE(mark != nullptr);
    CHECK(mark->until - mark->since == ms(15'000));
  }
}

TEST_CASE_FIXTURE(Pool, "walker: 401 and 403 disable the key and fail over") {
  for (int code : {401, 403}) {
    SUBCASE(("status " + std::to_string(code)).c_str()) {
      CAPTURE(code);
      keys = make_keys({"a", "b"});
      upstream.script("a", {status(code, "authentication_error")});
      upstream.script("b", {ok()});
      auto result = Walker(keys, store, clock).walk(upstream.fn());
      CHECK(result.kind == WalkResult::Kind::success);
      CHECK(upstream.calls == Labels{"a", "b"});
      auto* mark = mark_of(store, keys[0]);
      REQUIRE(mark != nullptr);
      CHECK(mark->kind == MarkKind::disabled);
      CHECK(mark->status == code);
      CHECK(mark->reason == "authentication_error");
    }
  }
}

TEST_CASE_FIXTURE(Pool,
                  "walker: any other status or a network failure ends the walk without failover") {
  // (402 and the 400 usage-limit messages are key-specific: docs/marks.md, below.)
  std::vector<AttemptOutcome> outcomes = {
      status(400, "invalid_request_error"), status(404, "not_found_error"),
      status(413, "request_too_large"),     status(500, "api_error"),
      status(529, "overloaded_error"),      AttemptOutcome::network(),
      AttemptOutcome::network(true)};
  for (std::size_t row = 0; row < outcomes.size(); ++row) {
    SUBCASE(row_name(row).c_str()) {
      const auto& outcome = outcomes[row];
      CAPTURE(outcome.status);
      keys = make_keys({"a", "b"});
      upstream.script("a", {outcome});
      auto result = Walker(keys, store, clock).walk(upstream.fn());
      CHECK(result.kind == WalkResult::Kind::failed);
      CHECK(result.attempts == 1);
      REQUIRE(result.key != nullptr);
      CHECK(result.key->label == "a");
      CHECK(result.outcome.status == outcome.status);
      CHECK(result.outcome.kind == outcome.kind);
      CHECK(upstream.calls == Labels{"a"});
      CHECK(store.marks().empty());
      CHECK(clock.slept() == ms(0));
    }
  }
}

TEST_CASE_FIXTURE(Pool, "walker: cooling and disabled keys are skipped; ended cooldowns are not") {
  keys = make_keys({"a", "b", "c", "d"});
  store.record(keys[0], KeyMark::disabled(k_t0 - ms(3'600'000), 401, "authentication_error"));
  store.record(keys[1], KeyMark::cooling(k_t0 - ms(1'000), ms(30'000), 429, "rate_limit_error"));
  store.record(keys[2], KeyMark::cooling(k_t0 - ms(60'000), ms(30'000), 429, "rate_limit_error"));
  upstream.script("c", {ok()});
  auto result = Walker(keys, store, clock).walk(upstream.fn(), &recorder);
  CHECK(result.kind == WalkResult::Kind::success);
  CHECK(upstream.calls == Labels{"c"});
  CHECK(recorder.skips == Labels{"a", "b"});
}

TEST_CASE_FIXTURE(Pool, "walker: a cooldown is never shortened by a later, shorter 429") {
  keys = make_keys({"a"});
  // Another process learns of a long cooldown for "a" while our request with
  // "a" is in flight (after our walk read the store); our answer is a 429
  // that asks for less.
  upstream.on_attempt = [&](const keys::Key& key) {
    store.record(key, KeyMark::cooling(k_t0, ms(120'000), 429, "rate_limit_error"));
  };
  upstream.script("a", {rate_limited(5'000)});
  auto result = Walker(keys, store, clock).walk(upstream.fn());
  CHECK(result.kind == WalkResult::Kind::transient);
  auto* mark = mark_of(store, keys[0]);
  REQUIRE(mark != nullptr);
  CHECK(mark->until == k_t0 + ms(120'000));
}

TEST_CASE_FIXTURE(Pool, "walker: marks reach the store as soon as they are made") {
  keys = make_keys({"a", "b", "c"});
  upstream.script("a", {rate_limited(30'000)});
  upstream.script("b", {status(401, "authentication_error")});
  upstream.script("c", {status(500)});
  bool checked_b = false, checked_c = false;
  upstream.on_attempt = [&](const keys::Key& key) {
    if (key.label == "b") {
      // a's mark is stored before b is even tried.
      auto* a = mark_of(store, keys[0]);
      REQUIRE(a != nullptr);
      CHECK(a->kind == MarkKind::cooling);
      CHECK(store.marks().size() == 1);
      checked_b = true;
    }
    if (key.label == "c") {
      auto* b = mark_of(store, keys[1]);
      REQUIRE(b != nullptr);
      CHECK(b->kind == MarkKind::disabled);
      CHECK(store.marks().size() == 2);
      checked_c = true;
    }
  };
  auto result = Walker(keys, store, clock).walk(upstream.fn());
  CHECK(checked_b);
  CHECK(checked_c);
  CHECK(result.kind == WalkResult::Kind::failed);
  CHECK(result.outcome.status == 500);
}

TEST_CASE_FIXTURE(Pool, "walker: transient exhaustion reports the soonest key") {
  keys = make_keys({"a", "b", "c"});
  upstream.script("a", {rate_limited(30'000)});
  upstream.script("b", {rate_limited(4'200)});
  upstream.script("c", {status(403, "permission_error")});
  auto result = Walker(keys, store, clock).walk(upstream.fn());
  CHECK(result.kind == WalkResult::Kind::transient);
  CHECK(result.retry_after == ms(4'200));
  CHECK(result.cooling == 2);
  CHECK(result.disabled == 1);
  CHECK(result.attempts == 3);
  CHECK(clock.slept() == ms(0));
}

TEST_CASE_FIXTURE(Pool, "walker: keys already cooling exhaust the walk with no attempt") {
  keys = make_keys({"a", "b"});
  store.record(keys[0], KeyMark::cooling(k_t0 - ms(10'000), ms(25'000), 429, ""));
  store.record(keys[1], KeyMark::cooling(k_t0, ms(40'000), 429, ""));
  auto result = Walker(keys, store, clock).walk(upstream.fn());
  CHECK(result.kind == WalkResult::Kind::transient);
  CHECK(result.retry_after == ms(15'000));
  CHECK(result.attempts == 0);
  CHECK(result.key == nullptr);
  CHECK(upstream.calls.empty());
}

TEST_CASE_FIXTURE(Pool, "walker: permanent exhaustion when every key is disabled") {
  keys = make_keys({"a", "b", "c"});
  store.record(keys[1], KeyMark::disabled(k_t0, 401, ""));
  upstream.script("a", {status(401, "authentication_error")});
  upstream.script("c", {status(403, "permission_error")});
  WalkOptions options;
  options.wait_max = ms(300'000); // waiting cannot help a disabled pool
  auto result = Walker(keys, store, clock, options).walk(upstream.fn());
  CHECK(result.kind == WalkResult::Kind::permanent);
  CHECK(result.disabled == 3);
  CHECK(result.cooling == 0);
  CHECK(upstream.calls == Labels{"a", "c"});
  CHECK(clock.slept() == ms(0));
}

TEST_CASE_FIXTURE(Pool, "walker: mixed disabled and cooling is transient") {
  keys = make_keys({"a", "b", "c"});
  store.record(keys[0], KeyMark::disabled(k_t0, 401, ""));
  store.record(keys[1], KeyMark::cooling(k_t0, ms(10'000), 429, ""));
  upstream.script("c", {rate_limited(20'000)});
  auto result = Walker(keys, store, clock).walk(upstream.fn());
  CHECK(result.kind == WalkResult::Kind::transient);
  CHECK(result.retry_after == ms(10'000));
  CHECK(result.cooling == 2);
  CHECK(result.disabled == 1);
  CHECK(upstream.calls == Labels{"c"});
}

TEST_CASE_FIXTURE(Pool,
                  "walker --wait: sleeps for the soonest key and walks again from the first") {
  keys = make_keys({"a", "b"});
  upstream.script("a", {rate_limited(9'000)});
  upstream.script("b", {rate_limited(5'000), ok()});
  WalkOptions options;
  options.wait_max = ms(300'000);
  // b is ready first; the second walk starts again at a, whose cooldown has
  // 4 s left: it is skipped, and b serves.
  auto result = Walker(keys, store, clock, options).walk(upstream.fn(), &recorder);
  CHECK(result.kind == WalkResult::Kind::success);
  REQUIRE(result.key != nullptr);
  CHECK(result.key->label == "b");
  CHECK(clock.slept() == ms(5'000));
  CHECK(recorder.waits == std::vector<util::Millis>{ms(5'000)});
  CHECK(upstream.calls == Labels{"a", "b", "b"});
  CHECK(recorder.skips == Labels{"a"});
}

TEST_CASE_FIXTURE(Pool, "walker --wait: the first key is tried first again once ready") {
  keys = make_keys({"a", "b"});
  upstream.script("a", {rate_limited(3'000), ok()});
  upstream.script("b", {rate_limited(3'000)});
  WalkOptions options;
  options.wait_max = ms(10'000);
  auto result = Walker(keys, store, clock, options).walk(upstream.fn());
  CHECK(result.kind == WalkResult::Kind::success);
  CHECK(result.key->label == "a");
  CHECK(upstream.calls == Labels{"a", "b", "a"});
  CHECK(clock.slept() == ms(3'000));
  CHECK(result.attempts == 3);
}

TEST_CASE_FIXTURE(Pool, "walker --wait: gives up when the wait would exceed the maximum") {
  keys = make_keys({"a"});
  SUBCASE("the first wait is too long") {
    upstream.script("a", {rate_limited(5'000)});
    WalkOptions options;
    options.wait_max = ms(4'999);
    auto result = Walker(keys, store, clock, options).walk(upstream.fn());
    CHECK(result.kind == WalkResult::Kind::transient);
    CHECK(result.retry_after == ms(5'000));
    CHECK(clock.slept() == ms(0));
  }
  SUBCASE("a wait of exactly the maximum is made") {
    upstream.script("a", {rate_limited(5'000), ok()});
    WalkOptions options;
    options.wait_max = ms(5'000);
    auto result = Walker(keys, store, clock, options).walk(upstream.fn());
    CHECK(result.kind == WalkResult::Kind::success);
    CHECK(clock.slept() == ms(5'000));
  }
  SUBCASE("the waits add up") {
    upstream.script("a", {rate_limited(5'000), rate_limited(5'000)});
    WalkOptions options;
    options.wait_max = ms(8'000);
    auto result = Walker(keys, store, clock, options).walk(upstream.fn());
    CHECK(result.kind == WalkResult::Kind::transient);
    CHECK(clock.slept() == ms(5'000));
    CHECK(upstream.calls == Labels{"a", "a"});
  }
  SUBCASE("without --wait there is no waiting at all") {
    upstream.script("a", {rate_limited(1)});
    auto result = Walker(keys, store, clock).walk(upstream.fn());
    CHECK(result.kind == WalkResult::Kind::transient);
    CHECK(clock.slept() == ms(0));
  }
  CHECK(upstream.all_used());
}

TEST_CASE_FIXTURE(
    Pool, "walker --retries: 5xx, 529, 408, 409 and early network failures retry the same key") {
  std::vector<AttemptOutcome> failures = {status(500),
                                          status(503),
                                          status(529, "overloaded_error"),
                                          status(408, "timeout_error"),
                                          status(409),
                                          AttemptOutcome::network(false)};
  for (std::size_t row = 0; row < failures.size(); ++row) {
    SUBCASE(row_name(row).c_str()) {
      const auto& failure = failures[row];
      CAPTURE(failure.status);
      keys = make_keys({"a", "b"});
      upstream.script("a", {failure, failure, ok()});
      auto result = Walker(keys, store, clock, fixed_jitter(0.0, 2)).walk(upstream.fn(), &recorder);
      CHECK(result.kind == WalkResult::Kind::success);
      CHECK(result.attempts == 3);
      CHECK(upstream.calls == Labels{"a", "a", "a"});
      CHECK(recorder.retries == Labels{"a#1", "a#2"});
      CHECK(recorder.retry_delays == std::vector<util::Millis>{ms(500), ms(1'000)});
      CHECK(clock.slept() == ms(1'500));
      CHECK(store.marks().empty());
    }
  }
}

TEST_CASE_FIXTURE(Pool, "walker --retries: gives up after N retries and reports the last failure") {
  keys = make_keys({"a", "b"});
  upstream.script("a", {status(500), status(502), status(503), status(529)});
  auto result = Walker(keys, store, clock, fixed_jitter(0.0, 3)).walk(upstream.fn());
  CHECK(result.kind == WalkResult::Kind::failed);
  CHECK(result.attempts == 4);
  CHECK(result.outcome.status == 529);
  CHECK(clock.slept() == ms(500 + 1'000 + 2'000));
  CHECK(upstream.calls == Labels{"a", "a", "a", "a"});
}

TEST_CASE_FIXTURE(Pool, "walker --retries: jitter shortens each backoff by up to 25 %") {
  keys = make_keys({"a"});
  upstream.script("a", {status(500), status(500), ok()});
  auto result = Walker(keys, store, clock, fixed_jitter(0.5, 2)).walk(upstream.fn(), &recorder);
  CHECK(result.kind == WalkResult::Kind::success);
  CHECK(recorder.retry_delays == std::vector<util::Millis>{ms(437), ms(875)});
  CHECK(clock.slept() == ms(437 + 875));
}

TEST_CASE_FIXTURE(Pool, "walker --retries: the real jitter source stays within bounds") {
  for (std::size_t round = 0; round < 20; ++round) {
    SUBCASE(row_name(round).c_str()) {
      keys = make_keys({"a"});
      upstream.script("a", {status(500), ok()});
      WalkOptions options;
      options.retries = 1;
      Walker(keys, store, clock, options).walk(upstream.fn());
      CHECK(clock.slept() >= ms(375));
      CHECK(clock.slept() <= ms(500));
    }
  }
}

TEST_CASE_FIXTURE(Pool, "walker --retries: a server's retry-after is honoured") {
  keys = make_keys({"a"});
  auto busy = status(529, "overloaded_error");
  busy.retry_after = ms(2'000);
  upstream.script("a", {busy, ok()});
  auto result = Walker(keys, store, clock, fixed_jitter(0.9, 2)).walk(upstream.fn());
  CHECK(result.kind == WalkResult::Kind::success);
  CHECK(clock.slept() == ms(2'000));
}

TEST_CASE_FIXTURE(
    Pool, "walker --retries: no retry for 400, late network failures, or x-should-retry: false") {
  auto late_network = AttemptOutcome::network(true);
  auto refused = status(500);
  refused.should_retry = false;
  std::vector<AttemptOutcome> outcomes = {status(400, "invalid_request_error"),
                                          status(404, "not_found_error"), late_network, refused};
  for (std::size_t row = 0; row < outcomes.size(); ++row) {
    SUBCASE(row_name(row).c_str()) {
      const auto& outcome = outcomes[row];
      CAPTURE(outcome.status);
      keys = make_keys({"a", "b"});
      upstream.script("a", {outcome});
      auto result = Walker(keys, store, clock, fixed_jitter(0.0, 3)).walk(upstream.fn());
      CHECK(result.kind == WalkResult::Kind::failed);
      CHECK(result.attempts == 1);
      CHECK(clock.slept() == ms(0));
      CHECK(upstream.calls == Labels{"a"});
    }
  }
}

TEST_CASE_FIXTURE(Pool,
                  "walker --retries: x-should-retry: true retries what would not be retried") {
  keys = make_keys({"a"});
  auto asked = status(400, "invalid_request_error");
  asked.should_retry = true;
  upstream.script("a", {asked, ok()});
  auto result = Walker(keys, store, clock, fixed_jitter(0.0, 1)).walk(upstream.fn());
  CHECK(result.kind == WalkResult::Kind::success);
  CHECK(result.attempts == 2);
  CHECK(clock.slept() == ms(500));
}

TEST_CASE_FIXTURE(Pool, "walker --retries 0 reports a retryable failure at once") {
  keys = make_keys({"a", "b"});
  upstream.script("a", {status(529, "overloaded_error")});
  auto result = Walker(keys, store, clock, fixed_jitter(0.0, 0)).walk(upstream.fn());
  CHECK(result.kind == WalkResult::Kind::failed);
  CHECK(result.attempts == 1);
  CHECK(result.outcome.status == 529);
  CHECK(clock.slept() == ms(0));
}

TEST_CASE_FIXTURE(Pool, "walker --retries: a 429 fails over to the next key instead of retrying") {
  keys = make_keys({"a", "b"});
  upstream.script("a", {rate_limited(1'000)});
  upstream.script("b", {status(401, "authentication_error")});
  auto result = Walker(keys, store, clock, fixed_jitter(0.0, 5)).walk(upstream.fn());
  CHECK(result.kind == WalkResult::Kind::transient);
  CHECK(upstream.calls == Labels{"a", "b"});
  CHECK(clock.slept() == ms(0));
}

TEST_CASE_FIXTURE(Pool, "walker: an interrupted attempt ends the walk") {
  keys = make_keys({"a", "b"});
  AttemptOutcome interrupted;
  interrupted.kind = AttemptOutcome::Kind::interrupted;
  upstream.script("a", {interrupted});
  auto result = Walker(keys, store, clock, fixed_jitter(0.0, 3)).walk(upstream.fn());
  CHECK(result.kind == WalkResult::Kind::interrupted);
  CHECK(upstream.calls == Labels{"a"});
}

namespace {
// A clock whose sleeps are cut short, as by Ctrl-C.
class InterruptedClock final : public util::Clock {
public:
  util::TimePoint now() const override { return k_t0; }
  bool sleep_for(util::Millis) override {
    ++sleeps;
    return false;
  }
  int sleeps = 0;
};
} // namespace

TEST_CASE("walker: an interrupted sleep ends the walk, in --wait and in --retries") {
  auto keys = make_keys({"a"});
  MemoryMarkStore store;
  InterruptedClock clock;
  FakeUpstream upstream;
  SUBCASE("--wait") {
    upstream.script("a", {rate_limited(1'000)});
    WalkOptions options;
    options.wait_max = ms(60'000);
    auto result = Walker(keys, store, clock, options).walk(upstream.fn());
    CHECK(result.kind == WalkResult::Kind::interrupted);
  }
  SUBCASE("--retries") {
    upstream.script("a", {status(500)});
    auto result = Walker(keys, store, clock, fixed_jitter(0.0, 3)).walk(upstream.fn());
    CHECK(result.kind == WalkResult::Kind::interrupted);
    CHECK(result.attempts == 1);
  }
  CHECK(clock.sleeps == 1);
  CHECK(upstream.calls == Labels{"a"});
}

// ---------------------------------------------------------------------------
// Per-model marks, spend and billing limits, proactive marks (docs/marks.md).

namespace {

WalkOptions for_model(const std::string& model) {
  WalkOptions options;
  options.model = model;
  return options;
}

// An answer the provider read as a spend or billing limit (the codes and
// messages that tell one are the provider's: anthropic_test, openai_test).
AttemptOutcome limited(int code, const char* type, pool::Limit limit,
                       std::optional<util::TimePoint> end = std::nullopt) {
  auto outcome = AttemptOutcome::answer(code, type);
  outcome.limit = limit;
  outcome.limit_end = end;
  return outcome;
}

AttemptOutcome ok_with_limits(std::vector<limits::LimitReading> limits) {
  auto outcome = ok();
  outcome.limits = std::move(limits);
  return outcome;
}

const KeyMark* model_mark_of(const MemoryMarkStore& store, const keys::Key& key,
                             const std::string& model) {
  auto it = store.marks().find(key.fingerprint);
  if (it == store.marks().end()) {
    return nullptr;
  }
  auto found = it->second.models.find(model);
  return found == it->second.models.end() ? nullptr : &found->second;
}

struct ScopeRecorder final : pool::WalkObserver {
  void skipped(const keys::Key& key, const pool::Block& block, util::TimePoint) override {
    skips.push_back(key.label + ":" + (block.scope.key_wide() ? "*" : block.scope.model()));
  }
  void marked(const keys::Key& key, const pool::Scope& scope, const KeyMark& mark) override {
    marks.push_back(key.label + ":" + (scope.key_wide() ? "*" : scope.model()) + ":" + mark.reason);
  }
  std::vector<std::string> skips, marks;
};

} // namespace

TEST_CASE_FIXTURE(Pool, "walker: a 429 cools the key for the request's model only") {
  keys = make_keys({"a", "b"});
  upstream.script("a", {rate_limited(30'000)});
  upstream.script("b", {ok()});
  ScopeRecorder told;
  auto first = Walker(keys, store, clock, for_model("claude-opus-4-1")).walk(upstream.fn(), &told);
  CHECK(first.kind == WalkResult::Kind::success);
  CHECK(told.marks == Labels{"a:claude-opus-4-1:rate_limit_error"});
  CHECK(mark_of(store, keys[0]) == nullptr); // nothing key-wide
  auto* mark = model_mark_of(store, keys[0], "claude-opus-4-1");
  REQUIRE(mark != nullptr);
  CHECK(mark->until == k_t0 + ms(30'000));

  // Another model: key a serves at once.
  upstream.script("a", {ok()});
  auto other = Walker(keys, store, clock, for_model("claude-sonnet-4-5")).walk(upstream.fn());
  CHECK(other.kind == WalkResult::Kind::success);
  REQUIRE(other.key != nullptr);
  CHECK(other.key->label == "a");

  // The same model: key a is skipped, for that model.
  upstream.script("b", {ok()});
  ScopeRecorder again;
  auto same = Walker(keys, store, clock, for_model("claude-opus-4-1")).walk(upstream.fn(), &again);
  CHECK(same.kind == WalkResult::Kind::success);
  CHECK(same.key->label == "b");
  CHECK(again.skips == Labels{"a:claude-opus-4-1"});
  CHECK(upstream.all_used());
}

TEST_CASE_FIXTURE(Pool, "walker: exhaustion is judged for the request's model") {
  keys = make_keys({"a", "b"});
  store.record(keys[0], pool::Scope::of_model("opus"), KeyMark::cooling(k_t0, ms(20'000), 429, ""));
  store.record(keys[1], pool::Scope::of_model("opus"), KeyMark::cooling(k_t0, ms(9'000), 429, ""));
  store.record(keys[1], pool::Scope::of_model("haiku"), KeyMark::cooling(k_t0, ms(5'000), 429, ""));
  auto opus = Walker(keys, store, clock, for_model("opus")).walk(upstream.fn());
  CHECK(opus.kind == WalkResult::Kind::transient);
  CHECK(opus.retry_after == ms(9'000));
  CHECK(opus.cooling == 2);
  CHECK(upstream.calls.empty());

  upstream.script("a", {ok()});
  auto haiku = Walker(keys, store, clock, for_model("haiku")).walk(upstream.fn());
  CHECK(haiku.kind == WalkResult::Kind::success);
  CHECK(haiku.key->label == "a");

  // --wait for opus sleeps for the soonest opus cooldown, not haiku's.
  upstream.script("b", {ok()});
  WalkOptions options = for_model("opus");
  options.wait_max = ms(60'000);
  auto waited = Walker(keys, store, clock, options).walk(upstream.fn(), &recorder);
  CHECK(waited.kind == WalkResult::Kind::success);
  CHECK(recorder.waits == std::vector<util::Millis>{ms(9'000)});
}

TEST_CASE_FIXTURE(Pool,
                  "walker: a mark without a model (an older bridge's) applies to every model") {
  keys = make_keys({"a", "b"});
  store.record(keys[0], KeyMark::cooling(k_t0, ms(20'000), 429, "rate_limit_error"));
  upstream.script("b", {ok(), ok()});
  ScopeRecorder told;
  for (const char* model : {"opus", "haiku"}) {
    auto result = Walker(keys, store, clock, for_model(model)).walk(upstream.fn(), &told);
    CHECK(result.kind == WalkResult::Kind::success);
    CHECK(result.key->label == "b");
  }
  CHECK(told.skips == Labels{"a:*", "a:*"});
}

TEST_CASE_FIXTURE(
    Pool, "walker: a disabled key is skipped for every model, and exhaustion is permanent") {
  keys = make_keys({"a"});
  upstream.script("a", {status(401, "authentication_error")});
  auto first = Walker(keys, store, clock, for_model("opus")).walk(upstream.fn());
  CHECK(first.kind == WalkResult::Kind::permanent);
  REQUIRE(mark_of(store, keys[0]) != nullptr); // key-wide, whatever the model
  CHECK(mark_of(store, keys[0])->kind == MarkKind::disabled);
  auto other = Walker(keys, store, clock, for_model("haiku")).walk(upstream.fn());
  CHECK(other.kind == WalkResult::Kind::permanent);
  CHECK(upstream.calls == Labels{"a"});
}

TEST_CASE_FIXTURE(Pool,
                  "walker: spend and billing answers cool the key for every model and fail over") {
  keys = make_keys({"a", "b"});
  ScopeRecorder told;
  SUBCASE("a spend-limit 429 naming when access returns") {
    upstream.script(
        "a", {limited(429, "rate_limit_error", limits::Limit::spend, at("2026-12-01T00:00:00Z"))});
    upstream.script("b", {ok()});
    auto result = Walker(keys, store, clock, for_model("opus")).walk(upstream.fn(), &told);
    CHECK(result.kind == WalkResult::Kind::success);
    auto* mark = mark_of(store, keys[0]);
    REQUIRE(mark != nullptr);
    CHECK(mark->reason == "spend_limit");
    CHECK(mark->status == 429);
    CHECK(mark->until == at("2026-12-01T00:00:00Z"));
    CHECK(told.marks == Labels{"a:*:spend_limit"});
  }
  SUBCASE("a spend-limit 429 whose message names no time: one hour") {
    upstream.script("a", {limited(429, "rate_limit_error", limits::Limit::spend)});
    upstream.script("b", {ok()});
    Walker(keys, store, clock, for_model("opus")).walk(upstream.fn());
    auto* mark = mark_of(store, keys[0]);
    REQUIRE(mark != nullptr);
    CHECK(mark->until - mark->since == ms(3'600'000));
    CHECK(mark->reason == "spend_limit");
  }
  SUBCASE("a 400 usage-limit message: one hour") {
    upstream.script("a", {limited(400, "invalid_request_error", limits::Limit::spend)});
    upstream.script("b", {ok()});
    auto result = Walker(keys, store, clock, for_model("opus")).walk(upstream.fn());
    CHECK(result.key->label == "b");
    auto* mark = mark_of(store, keys[0]);
    REQUIRE(mark != nullptr);
    CHECK(mark->until - mark->since == ms(3'600'000));
    CHECK(mark->reason == "spend_limit");
    CHECK(mark->status == 400);
  }
  SUBCASE("a 402 billing error: one hour") {
    upstream.script("a", {limited(402, "billing_error", limits::Limit::billing)});
    upstream.script("b", {ok()});
    auto result = Walker(keys, store, clock, for_model("opus")).walk(upstream.fn());
    CHECK(result.key->label == "b");
    auto* mark = mark_of(store, keys[0]);
    REQUIRE(mark != nullptr);
    CHECK(mark->until - mark->since == ms(3'600'000));
    CHECK(mark->reason == "billing");
  }
  SUBCASE("any other 400 is reported, not failed over") {
    upstream.script("a", {status(400, "invalid_request_error")});
    auto result = Walker(keys, store, clock, for_model("opus")).walk(upstream.fn());
    CHECK(result.kind == WalkResult::Kind::failed);
    CHECK(store.marks().empty());
  }
  CHECK(upstream.all_used());
  // A key-wide limit blocks every model.
  if (auto* mark = mark_of(store, keys[0])) {
    FakeUpstream later;
    later.script("b", {ok()});
    auto result = Walker(keys, store, clock, for_model("haiku")).walk(later.fn());
    CHECK(result.key->label == "b");
    CHECK(mark->kind == MarkKind::cooling);
  }
}

TEST_CASE_FIXTURE(
    Pool, "walker: a success with a limit used up cools the key for that model, at most 60 s") {
  keys = make_keys({"a", "b"});
  SUBCASE("requests remaining 0, reset in 7 s") {
    upstream.script("a", {ok_with_limits({{"requests", 0, 50, k_t0 + ms(7'000)},
                                          {"tokens", 39'000, 40'000, k_t0 + ms(1'000)}})});
    ScopeRecorder told;
    auto result = Walker(keys, store, clock, for_model("opus")).walk(upstream.fn(), &told);
    CHECK(result.kind == WalkResult::Kind::success);
    auto* mark = model_mark_of(store, keys[0], "opus");
    REQUIRE(mark != nullptr);
    // The first of the 50 requests is back after 7 s / 50 (docs/marks.md, "Claims").
    CHECK(mark->until == k_t0 + ms(140));
    CHECK(mark->status == 200);
    CHECK(mark->reason == "requests_remaining_0");
    CHECK(told.marks == Labels{"a:opus:requests_remaining_0"});
    // The limits are kept for keys status.
    const auto& limits = store.marks().at(keys[0].fingerprint).limits;
    REQUIRE(limits.count("opus") == 1);
    CHECK(limits.at("opus").seen == k_t0);
    CHECK(limits.at("opus").readings.size() == 2);
    // The next walk for opus goes to b without spending a request on a.
    upstream.script("b", {ok()});
    auto next = Walker(keys, store, clock, for_model("opus")).walk(upstream.fn());
    CHECK(next.key->label == "b");
  }
  SUBCASE("the later reset of two used-up kinds, capped at 60 s") {
    upstream.script("a", {ok_with_limits({{"input_tokens", 0, 10, k_t0 + ms(5'000)},
                                          {"output_tokens", 0, 10, k_t0 + ms(600'000)}})});
    Walker(keys, store, clock, for_model("opus")).walk(upstream.fn());
    auto* mark = model_mark_of(store, keys[0], "opus");
    REQUIRE(mark != nullptr);
    CHECK(mark->until == k_t0 + ms(60'000));
    CHECK(mark->reason == "output_tokens_remaining_0");
  }
  SUBCASE("nothing used up, or the reset already past: no mark, limits kept") {
    upstream.script("a", {ok_with_limits({{"requests", 3, 50, k_t0 + ms(7'000)},
                                          {"tokens", 0, 40'000, k_t0 - ms(1'000)}})});
    Walker(keys, store, clock, for_model("opus")).walk(upstream.fn());
    CHECK(model_mark_of(store, keys[0], "opus") == nullptr);
    CHECK(store.marks().at(keys[0].fingerprint).limits.count("opus") == 1);
  }
  CHECK(upstream.all_used());
}

TEST_CASE_FIXTURE(
    Pool, "walker: a key whose request bucket is empty is skipped, a unit is claimed per walk") {
  keys = make_keys({"a", "b"});
  // a: 1 left of 5, full in 4 s (one a second).
  upstream.script("a", {ok_with_limits({{"requests", 1, 5, k_t0 + ms(4'000)}})});
  Walker(keys, store, clock, for_model("opus")).walk(upstream.fn());
  // The next walk claims a's last unit; the one after finds it empty and
  // goes to b without asking a.
  upstream.script("a", {ok()});
  upstream.script("b", {ok()});
  CHECK(Walker(keys, store, clock, for_model("opus")).walk(upstream.fn()).key->label == "a");
  CHECK(Walker(keys, store, clock, for_model("opus")).walk(upstream.fn()).key->label == "b");
  CHECK(upstream.calls == Labels{"a", "a", "b"});
  // Another model has its own buckets.
  upstream.script("a", {ok()});
  CHECK(Walker(keys, store, clock, for_model("sonnet")).walk(upstream.fn()).key->label == "a");
  CHECK(upstream.all_used());
}

TEST_CASE_FIXTURE(
    Pool, "walker: empty buckets exhaust the walk until the next unit, --wait claims it ahead") {
  keys = make_keys({"a"});
  // Empty after this answer, full in 5 s: one unit a second.
  upstream.script("a", {ok_with_limits({{"requests", 0, 5, k_t0 + ms(5'000)}})});
  Walker(keys, store, clock, for_model("opus")).walk(upstream.fn());
  auto result = Walker(keys, store, clock, for_model("opus")).walk(upstream.fn());
  CHECK(result.kind == WalkResult::Kind::transient);
  CHECK(result.retry_after == ms(1'000));
  CHECK(result.cooling == 1);
  // Two waiters: the first is promised the unit at 1 s, the second the one at 2 s.
  WalkOptions waiting = for_model("opus");
  waiting.wait_max = ms(5'000);
  upstream.script("a", {ok(), ok()});
  Recorder told;
  CHECK(Walker(keys, store, clock, waiting).walk(upstream.fn(), &told).kind ==
        WalkResult::Kind::success);
  CHECK(told.waits == std::vector<util::Millis>{ms(1'000)});
  clock.set(k_t0);
  Recorder second;
  CHECK(Walker(keys, store, clock, waiting).walk(upstream.fn(), &second).kind ==
        WalkResult::Kind::success);
  CHECK(second.waits == std::vector<util::Millis>{ms(2'000)});
  CHECK(upstream.all_used());
}

TEST_CASE_FIXTURE(Pool, "walker: every claim of a walk ends, whatever became of its attempt") {
  keys = make_keys({"a"});
  auto out = [&] { return store.buckets().at(pool::bucket_id(keys[0].fingerprint, "opus")).out; };
  WalkOptions options = for_model("opus");
  options.retries = 0;
  // The first answer teaches the bucket (a probe, settled at its end).
  upstream.script("a", {ok_with_limits({{"requests", 4, 5, k_t0 + ms(60'000)}})});
  Walker(keys, store, clock, options).walk(upstream.fn());
  CHECK(out() == doctest::Approx(0.0));
  // An answer with limits, one without, a 500, a 429: each ends its claim.
  upstream.script("a", {ok_with_limits({{"requests", 3, 5, k_t0 + ms(60'000)}}), ok(), status(500),
                        rate_limited(10)});
  for (int i = 0; i < 4; ++i) {
    CAPTURE(i);
    Walker(keys, store, clock, options).walk(upstream.fn());
    CHECK(out() == doctest::Approx(0.0));
  }
  CHECK(upstream.all_used());
  // A unit taken ahead for a wait that is interrupted: never sent, ended.
  // (At 1 s: the 429's 10 ms cooldown is over, the bucket still empty.)
  struct Interrupted final : util::Clock {
    util::TimePoint now() const override { return k_t0 + ms(1'000); }
    bool sleep_for(util::Millis) override { return false; }
  } interrupted;
  options.wait_max = ms(120'000);
  auto result = Walker(keys, store, interrupted, options).walk(upstream.fn());
  CHECK(result.kind == WalkResult::Kind::interrupted);
  CHECK(out() == doctest::Approx(0.0));
  CHECK(store.buckets().at(pool::bucket_id(keys[0].fingerprint, "opus")).taken ==
        doctest::Approx(6.0));
}

TEST_CASE_FIXTURE(Pool, "walker: a 429 empties the key's bucket for the model") {
  keys = make_keys({"a", "b"});
  upstream.script("a", {ok_with_limits({{"requests", 3, 5, k_t0 + ms(2'000)}}), rate_limited(10)});
  upstream.script("b", {ok()});
  Walker(keys, store, clock, for_model("opus")).walk(upstream.fn());
  Walker(keys, store, clock, for_model("opus")).walk(upstream.fn());
  const auto& bucket = store.buckets().at(pool::bucket_id(keys[0].fingerprint, "opus"));
  CHECK(bucket.level_at(clock.now()) == doctest::Approx(0.0));
  CHECK(upstream.all_used());
}

namespace {
WalkOptions with_affinity(pool::AffinityStore& affinities, const std::string& model = {}) {
  WalkOptions options = for_model(model);
  options.affinity = "session-hash";
  options.affinity_store = &affinities;
  return options;
}
} // namespace

TEST_CASE_FIXTURE(Pool, "walker: affinity keeps a conversation on the key that served it") {
  keys = make_keys({"a", "b", "c"});
  pool::MemoryAffinityStore affinities;
  // a is busy at first: b serves, and is remembered.
  upstream.script("a", {rate_limited(1'000)});
  upstream.script("b", {ok()});
  CHECK(Walker(keys, store, clock, with_affinity(affinities)).walk(upstream.fn()).key->label ==
        "b");
  REQUIRE(affinities.lookup("session-hash"));
  CHECK(affinities.lookup("session-hash")->fingerprint == keys[1].fingerprint);
  // a is free again, and first in the walk order: the conversation stays on b.
  clock.advance(ms(2'000));
  upstream.script("b", {ok()});
  auto kept = Walker(keys, store, clock, with_affinity(affinities)).walk(upstream.fn(), &recorder);
  CHECK(kept.key->label == "b");
  CHECK(recorder.preferences == Labels{"b"});
  // Without an affinity, the plain walk.
  upstream.script("a", {ok()});
  CHECK(Walker(keys, store, clock).walk(upstream.fn()).key->label == "a");
  // A failure of the remembered key fails over in the walk order, and the
  // key that served is remembered instead.
  upstream.script("b", {rate_limited(1'000)});
  upstream.script("a", {ok()});
  CHECK(Walker(keys, store, clock, with_affinity(affinities)).walk(upstream.fn()).key->label ==
        "a");
  CHECK(affinities.lookup("session-hash")->fingerprint == keys[0].fingerprint);
  CHECK(upstream.calls == Labels{"a", "b", "b", "a", "b", "a"});
  CHECK(upstream.all_used());
}

TEST_CASE_FIXTURE(Pool, "walker: a mark on the remembered key breaks affinity") {
  keys = make_keys({"a", "b"});
  pool::MemoryAffinityStore affinities;
  affinities.remember("session-hash", keys[1].fingerprint, k_t0);
  store.record(keys[1], KeyMark::cooling(k_t0, ms(30'000), 429, "rate_limit_error"));
  upstream.script("a", {ok()});
  auto result =
      Walker(keys, store, clock, with_affinity(affinities)).walk(upstream.fn(), &recorder);
  CHECK(result.key->label == "a");
  CHECK(recorder.preferences.empty());
  CHECK(affinities.lookup("session-hash")->fingerprint == keys[0].fingerprint);
  CHECK(upstream.all_used());
}

TEST_CASE_FIXTURE(Pool, "walker: affinity never overrides a claim refused for an empty bucket") {
  keys = make_keys({"a", "b"});
  pool::MemoryAffinityStore affinities;
  // b's request bucket for opus is empty after this answer (5 a 5 s).
  std::vector<keys::Key> only_b{keys[1]};
  upstream.script("b", {ok_with_limits({{"requests", 0, 5, k_t0 + ms(5'000)}})});
  Walker(only_b, store, clock, with_affinity(affinities, "opus")).walk(upstream.fn());
  REQUIRE(affinities.lookup("session-hash")->fingerprint == keys[1].fingerprint);
  clock.advance(ms(100));
  upstream.script("a", {ok()});
  auto result =
      Walker(keys, store, clock, with_affinity(affinities, "opus")).walk(upstream.fn(), &recorder);
  CHECK(result.key->label == "a");
  CHECK(recorder.preferences.empty());
  CHECK(upstream.calls == Labels{"b", "a"});
  // Once b has a unit again, the affinity (now a's) holds.
  clock.advance(ms(5'000));
  upstream.script("a", {ok()});
  CHECK(Walker(keys, store, clock, with_affinity(affinities, "opus"))
            .walk(upstream.fn())
            .key->label == "a");
  CHECK(upstream.all_used());
}

TEST_CASE_FIXTURE(Pool, "walker: affinity lasts an hour") {
  keys = make_keys({"a", "b"});
  pool::MemoryAffinityStore affinities;
  affinities.remember("session-hash", keys[1].fingerprint, k_t0);
  clock.advance(pool::k_affinity_lifetime - ms(1));
  upstream.script("b", {ok()});
  CHECK(Walker(keys, store, clock, with_affinity(affinities)).walk(upstream.fn()).key->label ==
        "b");
  // Remembered again at that success: an hour from now.
  clock.advance(pool::k_affinity_lifetime - ms(1));
  upstream.script("b", {ok()});
  CHECK(Walker(keys, store, clock, with_affinity(affinities)).walk(upstream.fn()).key->label ==
        "b");
  // An hour without a request: the cache is gone, the plain walk.
  clock.advance(pool::k_affinity_lifetime);
  upstream.script("a", {ok()});
  CHECK(Walker(keys, store, clock, with_affinity(affinities)).walk(upstream.fn()).key->label ==
        "a");
  CHECK(upstream.all_used());
}

namespace {
using AffinityWaits = std::vector<std::pair<std::string, util::Millis>>;

// b served the conversation and its request bucket for opus is empty (5, one
// a second): 400 ms later its next unit is 600 ms away, one refill interval
// being 1000 ms. a is free (its bucket never seen).
struct RememberedEmpty : Pool {
  pool::MemoryAffinityStore affinities;
  RememberedEmpty() {
    keys = make_keys({"a", "b"});
    std::vector<keys::Key> only_b{keys[1]};
    upstream.script("b", {ok_with_limits({{"requests", 0, 5, k_t0 + ms(5'000)}})});
    Walker(only_b, store, clock, with_affinity(affinities, "opus")).walk(upstream.fn());
    upstream.calls.clear();
    clock.advance(ms(400));
  }
  WalkOptions waiting(long long wait_max_ms) {
    WalkOptions options = with_affinity(affinities, "opus");
    options.wait_max = ms(wait_max_ms);
    return options;
  }
};
} // namespace

TEST_CASE_FIXTURE(RememberedEmpty,
                  "walker --wait: the remembered key's next unit is waited for within one refill "
                  "interval") {
  upstream.script("b", {ok()});
  auto result = Walker(keys, store, clock, waiting(5'000)).walk(upstream.fn(), &recorder);
  CHECK(result.key->label == "b");
  CHECK(recorder.affinity_waits == AffinityWaits{{"b", ms(600)}});
  CHECK(recorder.waits.empty());
  CHECK(recorder.preferences == Labels{"b"});
  CHECK(clock.slept() == ms(600));
  // Another conversation of b's at the same moment: b's next free unit is
  // 1.6 s away (the one at 600 ms is promised), more than one refill
  // interval: it goes to a at once rather than queue behind the first.
  clock.set(k_t0 + ms(400));
  upstream.script("a", {ok()});
  Recorder second;
  CHECK(Walker(keys, store, clock, waiting(5'000)).walk(upstream.fn(), &second).key->label == "a");
  CHECK(second.affinity_waits.empty());
  CHECK(second.waits.empty());
  CHECK(upstream.calls == Labels{"b", "a"});
  CHECK(upstream.all_used());
}

namespace {
// One row of the remembered-key waits: b's next unit is 600 ms away.
struct RememberedWaitRow {
  const char* name;
  std::optional<long long> wait_max_ms; // none: no --wait
  bool mark_on_b;                       // a 429's cooldown (2 s) on b for opus
  const char* served_by;
  long long slept_ms;
  bool waited_for_b; // recorded as an affinity wait of 600 ms for b
};
const RememberedWaitRow k_remembered_wait_rows[] = {
    {"without --wait: a serves at once", std::nullopt, false, "a", 0, false},
    {"--wait shorter than b's next unit: a serves at once", 599, false, "a", 0, false},
    {"--wait of exactly b's next unit: waited for", 600, false, "b", 600, true},
    {"--wait of 5 s: b, after 600 ms", 5'000, false, "b", 600, true},
    {"--wait of 5 s, a 429's mark on b: a mark is never waited out while a is free", 5'000, true,
     "a", 0, false},
};
} // namespace

TEST_CASE_FIXTURE(RememberedEmpty,
                  "walker: the remembered key is waited for only with --wait, within what is "
                  "left of it, and never through a mark") {
  for (std::size_t i = 0; i < std::size(k_remembered_wait_rows); ++i) {
    const RememberedWaitRow& row = k_remembered_wait_rows[i];
    SUBCASE(row.name) {
      if (row.mark_on_b)
        store.record(keys[1], pool::Scope::of_model("opus"),
                     KeyMark::cooling(clock.now(), ms(2'000), 429, "rate_limit_error"));
      upstream.script(row.served_by, {ok()});
      WalkOptions options =
          row.wait_max_ms ? waiting(*row.wait_max_ms) : with_affinity(affinities, "opus");
      auto result = Walker(keys, store, clock, options).walk(upstream.fn(), &recorder);
      CHECK(result.key->label == row.served_by);
      CHECK(clock.slept() == ms(row.slept_ms));
      CHECK(recorder.waits.empty());
      CHECK(recorder.affinity_waits ==
            (row.waited_for_b ? AffinityWaits{{"b", ms(600)}} : AffinityWaits{}));
      if (row.mark_on_b) {
        CHECK(recorder.preferences.empty());
        CHECK(affinities.lookup("session-hash")->fingerprint == keys[0].fingerprint);
      }
      CHECK(upstream.all_used());
    }
  }
}

TEST_CASE_FIXTURE(RememberedEmpty,
                  "walker --wait: every bucket empty, the remembered key the soonest: the usual "
                  "wait") {
  // a: empty too, its next unit 4 s away (5 in 20 s).
  std::vector<keys::Key> only_a{keys[0]};
  upstream.script("a", {ok_with_limits({{"requests", 0, 5, clock.now() + ms(20'000)}})});
  Walker(only_a, store, clock, for_model("opus")).walk(upstream.fn());
  // b's next unit is promised to another walk: its next free one is 1.6 s
  // away, beyond one interval, yet the soonest of the pool.
  std::vector<pool::ClaimCandidate> only_b{{&keys[1], true}};
  store.claim(only_b, "opus", clock.now(), ms(5'000), pool::ClaimOrder::key_file);
  upstream.script("b", {ok()});
  auto result = Walker(keys, store, clock, waiting(5'000)).walk(upstream.fn(), &recorder);
  CHECK(result.key->label == "b");
  CHECK(recorder.waits == std::vector<util::Millis>{ms(1'600)});
  CHECK(recorder.affinity_waits.empty());
  CHECK(upstream.all_used());
}

namespace {
// a, b and c with their request buckets for opus known: 3, 4 and 2 units
// left (5 a bucket, one a second).
struct ThreeKnown : Pool {
  pool::MemoryAffinityStore affinities;
  ThreeKnown() {
    keys = make_keys({"a", "b", "c"});
    const long long left[] = {3, 4, 2};
    for (std::size_t i = 0; i < keys.size(); ++i) {
      std::vector<keys::Key> one{keys[i]};
      upstream.script(
          keys[i].label,
          {ok_with_limits({{"requests", left[i], 5, k_t0 + ms((5 - left[i]) * 1'000)}})});
      Walker(one, store, clock, for_model("opus")).walk(upstream.fn());
    }
    upstream.calls.clear();
  }
};
} // namespace

TEST_CASE_FIXTURE(ThreeKnown,
                  "walker: a conversation no key serves yet starts on the key with the most "
                  "units left") {
  SUBCASE("a new conversation: b, the fullest") {
    upstream.script("b", {ok()});
    auto result = Walker(keys, store, clock, with_affinity(affinities, "opus"))
                      .walk(upstream.fn(), &recorder);
    CHECK(result.key->label == "b");
    CHECK(recorder.preferences.empty());
    CHECK(affinities.lookup("session-hash")->fingerprint == keys[1].fingerprint);
  }
  SUBCASE("without an affinity: a, the first with a unit (the plain walk)") {
    upstream.script("a", {ok()});
    CHECK(Walker(keys, store, clock, for_model("opus")).walk(upstream.fn()).key->label == "a");
  }
  SUBCASE("a remembered key: kept, though another has more left") {
    affinities.remember("session-hash", keys[2].fingerprint, k_t0);
    upstream.script("c", {ok()});
    CHECK(Walker(keys, store, clock, with_affinity(affinities, "opus"))
              .walk(upstream.fn())
              .key->label == "c");
  }
  SUBCASE("a remembered key gone from the key file: a new start, b") {
    keys::Key gone = keys::make_key("gone", "sk-ant-test-walker-gone-000009");
    affinities.remember("session-hash", gone.fingerprint, k_t0);
    upstream.script("b", {ok()});
    CHECK(Walker(keys, store, clock, with_affinity(affinities, "opus"))
              .walk(upstream.fn())
              .key->label == "b");
  }
  CHECK(upstream.all_used());
}

TEST_CASE_FIXTURE(
    ThreeKnown, "walker: a new conversation refused by the fullest key goes to the next fullest") {
  // b answers 429: a (3 left) was passed over for b, not because it was
  // empty, so it is still a candidate and comes before c (2 left).
  upstream.script("b", {rate_limited(1'000)});
  upstream.script("a", {ok()});
  auto result =
      Walker(keys, store, clock, with_affinity(affinities, "opus")).walk(upstream.fn(), &recorder);
  CHECK(result.key->label == "a");
  CHECK(upstream.calls == Labels{"b", "a"});
  CHECK(recorder.skips.empty());
  CHECK(upstream.all_used());
}
