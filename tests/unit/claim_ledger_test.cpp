#include "state/file/claim_ledger.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using pool::Bucket;
using pool::BucketMap;
using pool::Claim;
using state::ClaimLedger;
using test::at;
using test::ms;

namespace {

const util::TimePoint k_t0 = at("2026-11-30T01:00:00Z");
const keys::Key k_a = keys::make_key("a", "sk-ant-test-ledger-a-000001");
const keys::Key k_b = keys::make_key("b", "sk-ant-test-ledger-b-000002");

Bucket fixed(double level, double per_ms = 0) {
  Bucket bucket;
  bucket.level = level;
  bucket.at = k_t0;
  bucket.limit = 100;
  bucket.per_ms = per_ms;
  return bucket;
}

} // namespace

TEST_CASE("claim ledger: buckets survive the text round trip") {
  BucketMap buckets;
  buckets[pool::bucket_id(k_a.fingerprint, "claude-opus-4-1")] = fixed(-1.25, 0.001);
  buckets[pool::bucket_id(k_b.fingerprint, "claude-opus-4-1")] = fixed(3.5);
  auto back = state::parse_buckets(state::serialize_buckets(buckets));
  REQUIRE(back.size() == 2);
  const auto& a = back.at(pool::bucket_id(k_a.fingerprint, "claude-opus-4-1"));
  CHECK(a.level == doctest::Approx(-1.25));
  CHECK(a.at == k_t0);
  CHECK(a.limit == doctest::Approx(100));
  CHECK(a.per_ms == doctest::Approx(0.001));
}

TEST_CASE("claim ledger: the claim counts survive the round trip; absent or bad, none") {
  BucketMap buckets;
  auto bucket = fixed(2.0, 0.001);
  bucket.taken = 212;
  bucket.out = 2;
  bucket.out_from = 180;
  buckets["x m"] = bucket;
  auto back = state::parse_buckets(state::serialize_buckets(buckets)).at("x m");
  CHECK(back.taken == doctest::Approx(212));
  CHECK(back.out == doctest::Approx(2));
  CHECK(back.out_from == doctest::Approx(180));
  // A ledger an older bridge wrote has none; counts another program wrote
  // are whole, never negative, never more out than taken.
  auto old = state::parse_buckets(
      R"({"version": 1, "buckets": {"y m": {"level": 1, "at": 5, "limit": 5, "per_ms": 0.001},
          "z m": {"level": 1, "at": 5, "limit": 5, "per_ms": 0.001,
                  "taken": 7.5, "out": 1e300, "out_from": -3}}})");
  CHECK(old.at("y m").taken == doctest::Approx(0));
  CHECK(old.at("y m").out == doctest::Approx(0));
  CHECK(old.at("z m").taken == doctest::Approx(7));
  CHECK(old.at("z m").out == doctest::Approx(7));
  CHECK(old.at("z m").out_from == doctest::Approx(0));
}

TEST_CASE("claim ledger: a text that is not a ledger gives no buckets") {
  CHECK(state::parse_buckets("").empty());
  CHECK(state::parse_buckets("{\"version\": 1, \"buck").empty()); // torn
  CHECK(state::parse_buckets("{\"version\": 2, \"buckets\": {}}").empty());
  // A bad entry is dropped, the good one kept.
  auto some = state::parse_buckets(
      R"({"version": 1, "buckets": {"x m": {"level": 1, "at": 5, "limit": -1, "per_ms": 0},
          "y m": {"level": 1, "at": 5, "limit": 5, "per_ms": 0.001}}})");
  CHECK(some.size() == 1);
  CHECK(some.count("y m") == 1);
}

TEST_CASE("claim ledger: an update changes the file, a read sees it") {
  test::TempDir dir;
  ClaimLedger ledger(dir / "state.json");
  CHECK(ledger.path() == dir / "state.json.claims");
  std::string problem;
  REQUIRE(ledger.update(
      k_t0, [](BucketMap& b) { b["k m"] = fixed(2); }, problem));
  CHECK(test::permissions(ledger.path()) == 0600);
  CHECK(ledger.read().at("k m").level == doctest::Approx(2));
  // A garbage file reads as empty and is replaced by the next update.
  test::write_file(ledger.path(), "not json at all, and longer than what comes next ............");
  CHECK(ledger.read().empty());
  REQUIRE(ledger.update(
      k_t0, [](BucketMap& b) { b["k m"] = fixed(1); }, problem));
  CHECK(ledger.read().size() == 1);
}

TEST_CASE("claim ledger: a symbolic link in its place is refused") {
  test::TempDir dir;
  test::write_file(dir / "elsewhere", "");
  REQUIRE(::symlink((dir / "elsewhere").c_str(), (dir / "state.json.claims").c_str()) == 0);
  ClaimLedger ledger(dir / "state.json");
  std::string problem;
  CHECK_FALSE(ledger.update(
      k_t0, [](BucketMap&) {}, problem));
  CHECK_FALSE(problem.empty());
  CHECK(test::read_file(dir / "elsewhere").empty());
}

TEST_CASE("claim ledger: concurrent processes never claim the same unit") {
  // 40 units and no refill; 8 processes claim 10 times each: exactly 40
  // claims succeed, whatever the interleaving.
  test::TempDir dir;
  ClaimLedger ledger(dir / "state.json", ms(30'000));
  std::string problem;
  REQUIRE(ledger.update(
      k_t0, [](BucketMap& b) { b[pool::bucket_id(k_a.fingerprint, "opus")] = fixed(40); },
      problem));
  std::vector<pid_t> children;
  for (int p = 0; p < 8; ++p) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ClaimLedger mine(dir / "state.json", ms(30'000));
      std::vector<pool::ClaimCandidate> only{{&k_a, false}};
      int granted = 0;
      for (int i = 0; i < 10; ++i) {
        Claim claim;
        std::string why;
        if (!mine.update(
                k_t0, [&](BucketMap& b) { claim = pool::claim_in(b, only, "opus", k_t0, ms(0)); },
                why)) {
          ::_exit(100);
        }
        granted += claim.kind == Claim::Kind::go ? 1 : 0;
      }
      ::_exit(granted);
    }
    children.push_back(pid);
  }
  int total = 0;
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) <= 10);
    total += WEXITSTATUS(status);
  }
  CHECK(total == 40);
  CHECK(ledger.read().at(pool::bucket_id(k_a.fingerprint, "opus")).level == doctest::Approx(0));
}
