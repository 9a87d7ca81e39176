#include "state/fallback_store.hpp"

#include "state/fallback_affinity.hpp"
#include "state/redis/redis_store.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

// The fallback store's rule for a shared store that fails (docs/redis.md,
// "Faults"), against an in-memory shared store that can be told to fail: no
// sockets. What a real server that cannot serve looks like (a closed port, a
// hung server, a refused password) is exercised by the integration tests
// (tests/integration/redis_*.sh), which start a real redis-server.

using test::at;
using test::ms;

namespace {

const keys::Key k_alpha = keys::make_key("alpha", "sk-ant-api03-SECRET-alpha-000000");
const keys::Key k_beta = keys::make_key("beta", "sk-ant-api03-SECRET-beta-111111");
const util::TimePoint k_t0 = at("2026-11-26T03:00:00Z");

// A SharedStore kept in memory; every call fails with `failure` when it is
// set, and counts as a call either way.
class FakeShared final : public state::SharedStore, public state::SharedAffinityStore {
public:
  pool::MemoryAffinityStore affinities;
  std::optional<std::string> failure;
  bool configuration = false; // the failure is a refused password
  pool::MemoryMarkStore memory;
  int calls = 0;

  std::string display() const override { return "redis://fake:6379/0"; }
  bool failure_is_configuration() const override { return failure && configuration; }
  util::Expected<pool::MarkMap> try_load() override {
    return answer<pool::MarkMap>([&] { return memory.load(); });
  }
  util::Expected<bool> try_record(const keys::Key& key, const pool::Scope& scope,
                                  const pool::KeyMark& mark) override {
    return answer<bool>([&] {
      memory.record(key, scope, mark);
      return true;
    });
  }
  util::Expected<bool> try_record_limits(const keys::Key& key, const std::string& model,
                                         const pool::ModelLimits& limits,
                                         const pool::ClaimTicket& ticket) override {
    return answer<bool>([&] {
      memory.record_limits(key, model, limits, ticket);
      return true;
    });
  }
  util::Expected<std::size_t> try_reset(const std::vector<std::string>& fingerprints) override {
    return answer<std::size_t>([&] { return memory.reset(fingerprints); });
  }
  util::Expected<std::size_t> try_reset_all() override {
    return answer<std::size_t>([&] { return memory.reset_all(); });
  }
  util::Expected<std::size_t>
  try_clear_disabled(const std::vector<std::string>& fingerprints) override {
    return answer<std::size_t>([&] { return memory.clear_disabled(fingerprints); });
  }
  util::Expected<pool::Claim> try_claim(const std::vector<pool::ClaimCandidate>& candidates,
                                        const std::string& model, util::TimePoint now,
                                        util::Millis may_wait, pool::ClaimOrder order) override {
    return answer<pool::Claim>(
        [&] { return memory.claim(candidates, model, now, may_wait, order); });
  }
  util::Expected<bool> try_refused(const keys::Key& key, const std::string& model,
                                   util::TimePoint now, const pool::ClaimTicket& ticket) override {
    return answer<bool>([&] {
      memory.refused(key, model, now, ticket);
      return true;
    });
  }
  util::Expected<bool> try_settle(const keys::Key& key, const std::string& model,
                                  const pool::ClaimTicket& ticket) override {
    return answer<bool>([&] {
      memory.settle(key, model, ticket);
      return true;
    });
  }

  util::Expected<std::optional<pool::AffinityEntry>> try_affinity(const std::string& id,
                                                                  util::TimePoint) override {
    return answer<std::optional<pool::AffinityEntry>>([&] { return affinities.lookup(id); });
  }
  util::Expected<bool> try_remember_affinity(const std::string& id,
                                             const std::string& fingerprint) override {
    return answer<bool>([&] {
      affinities.remember(id, fingerprint, k_t0);
      return true;
    });
  }

private:
  template <typename T, typename F> util::Expected<T> answer(F&& work) {
    ++calls;
    if (failure) {
      return util::Expected<T>::failure(*failure);
    }
    return util::Expected<T>(work());
  }
};

struct Scenario {
  FakeShared shared;
  pool::MemoryMarkStore local;
  std::vector<std::string> warnings;
  state::FallbackStore store{shared, local, "/somewhere/state.json",
                             [this](const std::string& message) { warnings.push_back(message); }};
};

int exit_code_of(const std::function<void()>& change) {
  try {
    change();
  } catch (const util::Error& error) {
    return static_cast<int>(error.code());
  }
  return 0;
}

} // namespace

TEST_CASE("while the shared store answers, the local store is not touched") {
  Scenario s;
  s.store.record(k_alpha, pool::KeyMark::disabled(k_t0, 401, "authentication_error"));
  s.store.record_limits(k_alpha, "claude-opus-4-1",
                        pool::ModelLimits{k_t0, {limits::LimitReading{"requests", 0, 50, {}}}}, {});
  auto marks = s.store.load();
  CHECK(marks.count(k_alpha.fingerprint) == 1);
  CHECK(s.shared.memory.marks().count(k_alpha.fingerprint) == 1);
  CHECK(s.local.marks().empty());
  CHECK_FALSE(s.store.using_fallback());
  CHECK(s.warnings.empty());
}

TEST_CASE("a failed load: one warning, then the local store") {
  Scenario s;
  s.shared.failure = "cannot connect: Connection refused";
  s.local.record(k_alpha, pool::KeyMark::disabled(k_t0, 401, "authentication_error"));

  auto marks = s.store.load();
  CHECK(s.store.using_fallback());
  REQUIRE(marks.count(k_alpha.fingerprint) == 1);
  CHECK(pool::is_disabled(*marks.at(k_alpha.fingerprint).key_wide));
  REQUIRE(s.warnings.size() == 1);
  const auto& warning = s.warnings.front();
  CHECK_MESSAGE(warning.find("redis://fake:6379/0") != std::string::npos, warning);
  CHECK_MESSAGE(warning.find("cannot connect") != std::string::npos, warning);
  CHECK(warning.find("/somewhere/state.json") != std::string::npos);
  CHECK(warning.find("gave up after") != std::string::npos);

  // Later loads and records go to the local store without a second try or
  // a second warning.
  int calls = s.shared.calls;
  s.store.record(k_beta, pool::KeyMark::cooling(k_t0, ms(30'000), 429, "rate_limit_error"));
  CHECK(s.local.marks().count(k_beta.fingerprint) == 1);
  s.store.load();
  CHECK(s.warnings.size() == 1);
  CHECK(s.shared.calls == calls);
}

TEST_CASE("a record that fails goes to the local store at once") {
  Scenario s;
  s.shared.failure = "no answer within 100 ms";
  s.store.record(k_alpha, pool::KeyMark::cooling(k_t0, ms(5000), 429, "rate_limit_error"));
  CHECK(s.local.marks().count(k_alpha.fingerprint) == 1);
  CHECK(s.warnings.size() == 1);
}

TEST_CASE("a failed per-model record and limits reach the local store in their scope") {
  Scenario s;
  s.shared.failure = "WRONGPASS";
  s.store.record(k_alpha, pool::Scope::of_model("claude-opus-4-1"),
                 pool::KeyMark::cooling(k_t0, ms(5000), 429, "rate_limit_error"));
  pool::ModelLimits limits{k_t0, {limits::LimitReading{"requests", 0, 50, std::nullopt}}};
  s.store.record_limits(k_alpha, "claude-opus-4-1", limits, {});
  REQUIRE(s.local.marks().count(k_alpha.fingerprint) == 1);
  const auto& marks = s.local.marks().at(k_alpha.fingerprint);
  CHECK_FALSE(marks.key_wide);
  REQUIRE(marks.models.count("claude-opus-4-1") == 1);
  CHECK(marks.models.at("claude-opus-4-1").status == 429);
  REQUIRE(marks.limits.count("claude-opus-4-1") == 1);
  CHECK(marks.limits.at("claude-opus-4-1") == limits);
  CHECK(s.warnings.size() == 1);
}

TEST_CASE("changes go to the shared store while it answers") {
  Scenario s;
  s.shared.memory.record(k_alpha, pool::KeyMark::disabled(k_t0, 401, "authentication_error"));
  s.shared.memory.record(k_beta, pool::KeyMark::cooling(k_t0, ms(5000), 429, "rate_limit_error"));
  CHECK(s.store.clear_disabled({k_alpha.fingerprint, k_beta.fingerprint}) == 1);
  CHECK(s.store.reset({k_beta.fingerprint}) == 1);
  CHECK(s.shared.memory.marks().count(k_beta.fingerprint) == 0);
  CHECK(s.store.reset_all() == 1); // alpha's entry, emptied by the clearing
  CHECK(s.warnings.empty());
}

TEST_CASE("a change the shared store cannot make exits 69 and changes nothing") {
  const int k_unavailable = static_cast<int>(util::ExitCode::unavailable);
  Scenario s;
  s.shared.failure = "cannot connect: Connection refused";
  s.local.record(k_alpha, pool::KeyMark::disabled(k_t0, 401, "authentication_error"));
  CHECK(exit_code_of([&] { s.store.reset({k_alpha.fingerprint}); }) == k_unavailable);
  CHECK(exit_code_of([&] { s.store.reset_all(); }) == k_unavailable);
  CHECK(exit_code_of([&] { s.store.clear_disabled({k_alpha.fingerprint}); }) == k_unavailable);
  // The local store is never changed in the shared store's place.
  CHECK(s.local.marks().count(k_alpha.fingerprint) == 1);
  try {
    s.store.clear_disabled({k_alpha.fingerprint});
  } catch (const util::Error& error) {
    std::string message = error.what();
    CHECK_MESSAGE(message.find("redis://fake:6379/0") != std::string::npos, message);
    CHECK_MESSAGE(message.find("Connection refused") != std::string::npos, message);
  }
}

TEST_CASE("after a fault, changes are refused without asking the shared store again") {
  Scenario s;
  s.shared.failure = "no answer within 250 ms";
  s.store.load(); // falls back
  REQUIRE(s.store.using_fallback());
  s.shared.failure.reset(); // it would answer now, but this run has given up on it
  int calls = s.shared.calls;
  CHECK(exit_code_of([&] { s.store.clear_disabled({k_alpha.fingerprint}); }) ==
        static_cast<int>(util::ExitCode::unavailable));
  CHECK(s.shared.calls == calls);
}

// A requests reading of `remaining` of 5, full again 5 s after `seen`.
pool::ModelLimits requests_left(long long remaining, util::TimePoint seen) {
  return pool::ModelLimits{
      seen, {limits::LimitReading{"requests", remaining, 5, seen + std::chrono::seconds(5)}}};
}

TEST_CASE("claims go to the shared store's buckets while it answers") {
  Scenario s;
  const std::string model = "claude-opus-4-1";
  s.store.record_limits(k_alpha, model, requests_left(1, k_t0), {});
  std::vector<pool::ClaimCandidate> both{{&k_alpha, false}, {&k_beta, false}};
  // Alpha's one unit, then beta (never seen: the plain walk, a probe).
  auto first = s.store.claim(both, model, k_t0, ms(0), pool::ClaimOrder::key_file);
  REQUIRE(first.kind == pool::Claim::Kind::go);
  CHECK(first.index == 0);
  CHECK(first.estimated);
  auto second = s.store.claim(both, model, k_t0, ms(0), pool::ClaimOrder::key_file);
  REQUIRE(second.kind == pool::Claim::Kind::go);
  CHECK(second.index == 1);
  CHECK(second.probe);
  REQUIRE(second.empty.size() == 1);
  CHECK(second.empty.front().first == 0);
  s.store.settle(k_beta, model, {});
  s.store.refused(k_alpha, model, k_t0, {});
  CHECK(s.shared.memory.buckets().count(pool::bucket_id(k_alpha.fingerprint, model)) == 1);
  CHECK(s.shared.memory.buckets().count(pool::bucket_id(k_beta.fingerprint, model)) == 0);
  // The local store's buckets were never touched.
  CHECK(s.local.buckets().empty());
  CHECK(s.warnings.empty());
}

TEST_CASE("a claim the shared store cannot make: one warning, then the local store's claims") {
  Scenario s;
  const std::string model = "claude-opus-4-1";
  s.local.record_limits(k_alpha, model, requests_left(0, k_t0), {});
  s.store.load(); // the shared store answers: nothing to fall back on yet
  s.shared.failure = "no answer within 250 ms";
  std::vector<pool::ClaimCandidate> both{{&k_alpha, false}, {&k_beta, false}};
  auto claim = s.store.claim(both, model, k_t0, ms(0), pool::ClaimOrder::key_file);
  // The local ledger's estimate decided: alpha is empty there, beta is next.
  REQUIRE(claim.kind == pool::Claim::Kind::go);
  CHECK(claim.index == 1);
  REQUIRE(claim.empty.size() == 1);
  CHECK(claim.empty.front().first == 0);
  CHECK(s.store.using_fallback());
  REQUIRE(s.warnings.size() == 1);
  CHECK_MESSAGE(s.warnings.front().find("no answer within 250 ms") != std::string::npos,
                s.warnings.front());
  // What follows goes to the local store, without asking the shared one.
  s.shared.failure.reset();
  int calls = s.shared.calls;
  s.store.settle(k_beta, model, {});
  s.store.refused(k_alpha, model, k_t0, {});
  s.store.claim(both, model, k_t0, ms(0), pool::ClaimOrder::key_file);
  CHECK(s.shared.calls == calls);
  CHECK(s.warnings.size() == 1);
  CHECK(s.local.buckets().count(pool::bucket_id(k_beta.fingerprint, model)) == 1);
}

TEST_CASE("a refused or settled bucket the shared store cannot change falls back too") {
  Scenario s;
  s.shared.failure = "Connection reset by peer";
  s.store.refused(k_alpha, "claude-opus-4-1", k_t0, {});
  CHECK(s.store.using_fallback());
  s.store.settle(k_alpha, "claude-opus-4-1", {});
  CHECK(s.warnings.size() == 1);
}

TEST_CASE("Redis scope names") {
  CHECK(state::RedisStore::scope_name(pool::Scope::every_model()) == "key");
  CHECK(state::RedisStore::scope_name(pool::Scope::of_model("claude-opus-4-1")) ==
        "model:claude-opus-4-1");
}

TEST_CASE("a refused password is a configuration error: the warning says so, changes exit 78") {
  const int k_config = static_cast<int>(util::ExitCode::config);
  Scenario s;
  s.shared.failure = "the password from REDISCLI_AUTH was refused: WRONGPASS invalid "
                     "username-password pair or user is disabled.";
  s.shared.configuration = true;
  CHECK(exit_code_of([&] { s.store.reset({k_alpha.fingerprint}); }) == k_config);
  CHECK(exit_code_of([&] { s.store.reset_all(); }) == k_config);
  try {
    s.store.clear_disabled({k_alpha.fingerprint});
    FAIL("a refused password changed the shared store");
  } catch (const util::Error& error) {
    std::string message = error.what();
    CHECK(static_cast<int>(error.code()) == k_config);
    CHECK_MESSAGE(message.find(": configuration error: the password from REDISCLI_AUTH") !=
                      std::string::npos,
                  message);
    CHECK_MESSAGE(message.find("user is disabled; nothing was changed") != std::string::npos,
                  message);
  }
  // Reading still falls back, with a warning that names the cause.
  s.store.load();
  REQUIRE(s.warnings.size() == 1);
  const auto& warning = s.warnings.front();
  CHECK_MESSAGE(warning.find("configuration error: the password") != std::string::npos, warning);
  CHECK_MESSAGE(warning.find("user is disabled (gave up after") != std::string::npos, warning);
  // Once given up on, a change is refused with the same exit code.
  CHECK(exit_code_of([&] { s.store.reset({k_alpha.fingerprint}); }) == k_config);
}

TEST_CASE("affinity follows the marks' rule: shared while it answers, one warning, then local") {
  Scenario s;
  pool::MemoryAffinityStore local_affinities;
  util::ManualClock clock(k_t0);
  state::FallbackAffinity affinity(s.shared, s.store, local_affinities, clock);

  affinity.remember("conversation", k_alpha.fingerprint, k_t0);
  auto found = affinity.lookup("conversation");
  REQUIRE(found);
  CHECK(found->fingerprint == k_alpha.fingerprint);
  CHECK(local_affinities.size() == 0);
  CHECK(s.warnings.empty());

  // A failure met by the affinity gives the invocation's one warning, and
  // the marks then go to the local store too.
  s.shared.failure = "no answer within 250 ms";
  CHECK_FALSE(affinity.lookup("conversation"));
  REQUIRE(s.warnings.size() == 1);
  int calls = s.shared.calls;
  affinity.remember("conversation", k_beta.fingerprint, k_t0);
  s.store.record(k_alpha, pool::KeyMark::disabled(k_t0, 401, "authentication_error"));
  CHECK(s.shared.calls == calls);
  CHECK(s.warnings.size() == 1);
  REQUIRE(local_affinities.lookup("conversation"));
  CHECK(local_affinities.lookup("conversation")->fingerprint == k_beta.fingerprint);
  CHECK(s.local.load().count(k_alpha.fingerprint) == 1);

  // The shared store answering again changes nothing for this invocation.
  s.shared.failure.reset();
  CHECK(affinity.lookup("conversation")->fingerprint == k_beta.fingerprint);
  CHECK(s.shared.calls == calls);
}
