#include "pool/bucket.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using pool::Bucket;
using pool::BucketMap;
using pool::Claim;
using pool::ClaimCandidate;
using test::at;
using test::ms;

namespace {

const util::TimePoint k_t0 = at("2026-11-30T01:00:00Z");

const keys::Key k_a = keys::make_key("a", "sk-ant-test-bucket-a-000001");
const keys::Key k_b = keys::make_key("b", "sk-ant-test-bucket-b-000002");
const keys::Key k_c = keys::make_key("c", "sk-ant-test-bucket-c-000003");

std::vector<ClaimCandidate> all(bool soft_a = false) {
  return {{&k_a, soft_a}, {&k_b, false}, {&k_c, false}};
}

// A bucket of 5 refilled at one a second, seen with `remaining` left and
// full again `full_in` ms later.
Bucket five_a_second(long long remaining, long long full_in_ms, util::TimePoint seen = k_t0) {
  return pool::first_bucket(remaining, 5, seen + ms(full_in_ms), seen);
}

} // namespace

TEST_CASE("bucket: the rate comes from the reset, the level rises to the limit") {
  // 2 left of 5, full in 3 s: 3 units in 3000 ms.
  Bucket bucket = five_a_second(2, 3000);
  CHECK(bucket.per_ms == doctest::Approx(0.001));
  CHECK(bucket.level_at(k_t0) == doctest::Approx(2.0));
  CHECK(bucket.level_at(k_t0 + ms(1500)) == doctest::Approx(3.5));
  CHECK(bucket.level_at(k_t0 + ms(9000)) == doctest::Approx(5.0)); // never above the limit
  CHECK(bucket.level_at(k_t0 - ms(5000)) == doctest::Approx(2.0)); // clock back: no refill
}

TEST_CASE("bucket: the first unit returns long before the bucket is full") {
  // Empty, full in 5 s: the first request is back after one second, not five.
  Bucket bucket = five_a_second(0, 5000);
  CHECK(bucket.until_one(k_t0) == ms(1000));
  CHECK(bucket.until_one(k_t0 + ms(400)) == ms(600));
  CHECK(bucket.until_one(k_t0 + ms(1000)) == ms(0));
}

TEST_CASE("bucket: the lowest rate bound is kept while the limit stays, a new limit forgets it") {
  // remaining is whole units: 0 left with the true level 0.6 and the reset
  // 4.4 s away bounds the rate by 5/4400, above the true 1/1000.
  Bucket bucket = five_a_second(0, 4400);
  CHECK(bucket.per_ms == doctest::Approx(5.0 / 4400));
  bucket.observe(1, 5, k_t0 + ms(5000), k_t0 + ms(1000)); // 4 units in 4000 ms
  CHECK(bucket.per_ms == doctest::Approx(0.001));
  bucket.observe(0, 5, k_t0 + ms(4000), k_t0 + ms(2000)); // a higher bound: ignored
  CHECK(bucket.per_ms == doctest::Approx(0.001));
  bucket.observe(10, 50, k_t0 + ms(60'000), k_t0 + ms(3000));
  CHECK(bucket.limit == doctest::Approx(50));
  CHECK(bucket.per_ms == doctest::Approx(40.0 / 57'000));
}

TEST_CASE("bucket: a rate never bounded is the limit per minute") {
  Bucket bucket = pool::first_bucket(50, 50, std::nullopt, k_t0);
  CHECK(bucket.per_ms == doctest::Approx(50.0 / 60'000));
  CHECK(bucket.level_at(k_t0) == doctest::Approx(50));
}

TEST_CASE("bucket: without a ticket an answer lowers the estimate, never raises it") {
  Bucket bucket = five_a_second(4, 1000);
  bucket.take(k_t0);
  bucket.take(k_t0);
  CHECK(bucket.level_at(k_t0) == doctest::Approx(2.0));
  // One of the two requests answered: the server still counts 3 left; the
  // other claim is on its way, so 2 stays the estimate.
  bucket.observe(3, 5, k_t0 + ms(2000), k_t0);
  CHECK(bucket.level_at(k_t0) == doctest::Approx(2.0));
  // A client that is not bridge used the bucket: the answer says fewer.
  bucket.observe(0, 5, k_t0 + ms(5000), k_t0);
  CHECK(bucket.level_at(k_t0) == doctest::Approx(0.0));
}

TEST_CASE("bucket: an answer with its claim's ticket raises an estimate left behind") {
  // 5 of 5, a refill so slow that it never counts here (a unit an hour).
  Bucket bucket = pool::first_bucket(5, 5, k_t0 + ms(3'600'000), k_t0);
  // A claim whose request never reached the upstream (a 5xx, a killed
  // process): its unit is gone from the estimate, not from the upstream.
  auto lost = bucket.take(k_t0);
  bucket.end_claim(lost);
  auto mine = bucket.take(k_t0);
  CHECK(bucket.level_at(k_t0) == doctest::Approx(3.0));
  // Its answer: 4 left. Nothing else is out, nothing was taken after it, so
  // the estimate rises to the answer (10 ms of refill short of it).
  bucket.observe(4, 5, std::nullopt, k_t0, mine);
  bucket.end_claim(mine);
  CHECK(bucket.level_at(k_t0) == doctest::Approx(4.0).epsilon(0.001));
  CHECK(bucket.level_at(k_t0) < 4.0);
  CHECK(bucket.out == doctest::Approx(0.0));
  // Without a ticket the same answer only ever lowers it (the rule before).
  Bucket plain = pool::first_bucket(5, 5, k_t0 + ms(3'600'000), k_t0);
  plain.take(k_t0);
  plain.take(k_t0);
  plain.observe(4, 5, std::nullopt, k_t0);
  CHECK(plain.level_at(k_t0) == doctest::Approx(3.0));
}

TEST_CASE("bucket: a late answer never raises past the claims taken after it") {
  // integration.marks.claims' case: A and B claimed in that order, the
  // upstream counts both, B's answer is read first and settles, then A's.
  Bucket bucket = pool::first_bucket(5, 5, k_t0 + ms(3'600'000), k_t0);
  auto a = bucket.take(k_t0);
  auto b = bucket.take(k_t0);
  CHECK(a.number == doctest::Approx(0.0));
  CHECK(b.number == doctest::Approx(1.0));
  CHECK(b.out == doctest::Approx(1.0));        // A was out when B was taken
  bucket.observe(3, 5, std::nullopt, k_t0, b); // after both: 3 left
  bucket.end_claim(b);
  CHECK(bucket.level_at(k_t0) == doctest::Approx(3.0));
  // A's answer says 4 (B not counted yet when A was answered). B is taken
  // after A, so it is subtracted although it is no longer out: 3, not 4.
  bucket.observe(4, 5, std::nullopt, k_t0, a);
  bucket.end_claim(a);
  CHECK(bucket.level_at(k_t0) == doctest::Approx(3.0));
  CHECK(bucket.out == doctest::Approx(0.0));
  // And a claim out when this one was taken counts too: C out, D taken,
  // D's answer (C may reach the upstream after D) says 2: C is subtracted.
  auto c = bucket.take(k_t0);
  auto d = bucket.take(k_t0);
  CHECK(d.out == doctest::Approx(1.0));
  bucket.observe(2, 5, std::nullopt, k_t0, d);
  CHECK(bucket.level_at(k_t0) == doctest::Approx(1.0));
  bucket.end_claim(c);
  bucket.end_claim(d);
}

TEST_CASE("bucket: claims out are forgotten after 30 s without a change; old tickets end nothing") {
  Bucket bucket = pool::first_bucket(5, 5, k_t0 + ms(3'600'000), k_t0);
  auto killed = bucket.take(k_t0); // its process died: never settled
  CHECK(bucket.out == doctest::Approx(1.0));
  auto later = bucket.take(k_t0 + ms(29'000));
  CHECK(later.out == doctest::Approx(1.0)); // within 30 s: still out
  bucket.end_claim(later);
  // 30 s with no claim and no answer: every claim before has reached the
  // upstream or never will.
  auto fresh = bucket.take(k_t0 + ms(60'000));
  CHECK(fresh.out == doctest::Approx(0.0));
  CHECK(bucket.out == doctest::Approx(1.0));
  CHECK(bucket.out_from == doctest::Approx(2.0));
  bucket.end_claim(killed); // from before: ends nothing
  CHECK(bucket.out == doctest::Approx(1.0));
  bucket.end_claim(pool::ClaimTicket{99, 0}); // not of this bucket: nothing
  CHECK(bucket.out == doctest::Approx(1.0));
  bucket.end_claim(fresh);
  CHECK(bucket.out == doctest::Approx(0.0));
  bucket.end_claim(fresh); // never below none
  CHECK(bucket.out == doctest::Approx(0.0));
}

TEST_CASE("buckets: an answer, a 429 or a settle each end the claim of its ticket") {
  BucketMap buckets;
  pool::observe_requests(buckets, k_a.fingerprint, "opus",
                         pool::ModelLimits{k_t0, {{"requests", 5, 5, std::nullopt}}});
  auto first = pool::claim_in(buckets, all(), "opus", k_t0, ms(0));
  auto second = pool::claim_in(buckets, all(), "opus", k_t0, ms(0));
  auto third = pool::claim_in(buckets, all(), "opus", k_t0, ms(0));
  REQUIRE(first.estimated);
  CHECK(first.ticket.valid());
  CHECK(third.ticket.number == doctest::Approx(2.0));
  const Bucket& a = buckets.at(pool::bucket_id(k_a.fingerprint, "opus"));
  CHECK(a.out == doctest::Approx(3.0));
  // An answer without a requests reading still ends its claim.
  pool::observe_requests(buckets, k_a.fingerprint, "opus", pool::ModelLimits{k_t0, {}},
                         first.ticket);
  CHECK(a.out == doctest::Approx(2.0));
  pool::refuse_bucket(buckets, k_a.fingerprint, "opus", k_t0, second.ticket);
  CHECK(a.out == doctest::Approx(1.0));
  CHECK(a.level_at(k_t0) == doctest::Approx(0.0));
  pool::settle_claim(buckets, k_a.fingerprint, "opus", third.ticket);
  CHECK(a.out == doctest::Approx(0.0));
}

TEST_CASE("bucket: an answer seen before the last claim counts no refill twice") {
  Bucket bucket = five_a_second(0, 5000);
  bucket.take(k_t0 + ms(3000)); // 3 refilled, 1 taken: 2 at 3 s
  CHECK(bucket.level_at(k_t0 + ms(3000)) == doctest::Approx(2.0));
  // An answer from 1 s: 1 left then, so 3 at 3 s: the estimate stays 2.
  bucket.observe(1, 5, k_t0 + ms(5000), k_t0 + ms(1000));
  CHECK(bucket.at == k_t0 + ms(3000));
  CHECK(bucket.level_at(k_t0 + ms(3000)) == doctest::Approx(2.0));
}

TEST_CASE("bucket: a 429 empties the bucket") {
  Bucket bucket = five_a_second(4, 1000);
  bucket.refused(k_t0 + ms(10));
  CHECK(bucket.level_at(k_t0 + ms(10)) == doctest::Approx(0.0));
  CHECK(bucket.until_one(k_t0 + ms(10)) == ms(1000));
}

TEST_CASE("claim: keys never seen are walked in order; a probe counts the requests on their way") {
  BucketMap buckets;
  auto claim = pool::claim_in(buckets, all(), "opus", k_t0, ms(0));
  CHECK(claim.kind == Claim::Kind::go);
  CHECK(claim.index == 0);
  CHECK(claim.probe);
  CHECK_FALSE(claim.estimated);
  // Once settled without an answer that taught the bucket, a is unknown
  // again and nothing is remembered.
  pool::settle_claim(buckets, k_a.fingerprint, "opus", {});
  CHECK(buckets.empty());
  // Concurrent walks all go to a, in order, as without claims.
  for (int i = 0; i < 4; ++i) {
    CHECK(pool::claim_in(buckets, all(), "opus", k_t0, ms(0)).index == 0);
  }
  // a has four requests on their way: its first answer counts the other three.
  pool::ModelLimits seen{k_t0, {{"requests", 3, 5, k_t0 + ms(2000)}}};
  pool::observe_requests(buckets, k_a.fingerprint, "opus", seen);
  const Bucket& a = buckets.at(pool::bucket_id(k_a.fingerprint, "opus"));
  CHECK_FALSE(a.probing());
  CHECK(a.level_at(k_t0) == doctest::Approx(0.0));
  // The four are its claims out, numbered without tickets.
  CHECK(a.out == doctest::Approx(4.0));
  CHECK(a.taken == doctest::Approx(4.0));
  pool::settle_claim(buckets, k_a.fingerprint, "opus", {}); // a known bucket: one fewer out
  CHECK(a.level_at(k_t0) == doctest::Approx(0.0));
  CHECK(a.out == doctest::Approx(3.0));
  // So the next walk goes to b.
  CHECK(pool::claim_in(buckets, all(), "opus", k_t0, ms(0)).index == 1);
  // A probe that never settles (its process died) is forgotten.
  CHECK(buckets.count(pool::bucket_id(k_b.fingerprint, "opus")) == 1);
  auto later =
      pool::claim_in(buckets, {{&k_b, false}}, "opus", k_t0 + pool::k_probe_timeout, ms(0));
  CHECK(later.probe);
  CHECK(buckets.at(pool::bucket_id(k_b.fingerprint, "opus")).level == doctest::Approx(-1.0));
}

TEST_CASE("claim: each claim takes a unit, so claims spread over the keys") {
  BucketMap buckets;
  buckets[pool::bucket_id(k_a.fingerprint, "opus")] = five_a_second(2, 3000);
  buckets[pool::bucket_id(k_b.fingerprint, "opus")] = five_a_second(1, 4000);
  std::vector<std::size_t> chosen;
  for (int i = 0; i < 4; ++i) {
    auto claim = pool::claim_in(buckets, all(), "opus", k_t0, ms(0));
    REQUIRE(claim.kind == Claim::Kind::go);
    chosen.push_back(claim.index);
  }
  // a twice, b once, then c (never seen: the plain walk).
  CHECK(chosen == std::vector<std::size_t>{0, 0, 1, 2});
  // The buckets are per model: sonnet has none, so a is first again.
  CHECK(pool::claim_in(buckets, all(), "sonnet", k_t0, ms(0)).index == 0);
}

TEST_CASE("claim: empty buckets are reported; without a wait nothing is claimed") {
  BucketMap buckets;
  buckets[pool::bucket_id(k_a.fingerprint, "opus")] = five_a_second(0, 5000);
  buckets[pool::bucket_id(k_b.fingerprint, "opus")] = five_a_second(0, 2500); // 2 a second
  buckets[pool::bucket_id(k_c.fingerprint, "opus")] = five_a_second(0, 10'000);
  auto claim = pool::claim_in(buckets, all(), "opus", k_t0, ms(0));
  CHECK(claim.kind == Claim::Kind::none);
  REQUIRE(claim.empty.size() == 3);
  CHECK(claim.empty[1] == std::pair<std::size_t, util::Millis>{1, ms(500)});
  CHECK(buckets.at(pool::bucket_id(k_b.fingerprint, "opus")).level_at(k_t0) ==
        doctest::Approx(0.0));
}

TEST_CASE("claim: waiters are promised successive units, not the same one") {
  BucketMap buckets;
  buckets[pool::bucket_id(k_a.fingerprint, "opus")] = five_a_second(0, 5000);   // 1/s
  buckets[pool::bucket_id(k_b.fingerprint, "opus")] = five_a_second(0, 10'000); // 0.5/s
  std::vector<ClaimCandidate> a_b{{&k_a, false}, {&k_b, false}};
  std::vector<std::pair<std::size_t, long long>> promised;
  for (int i = 0; i < 4; ++i) {
    auto claim = pool::claim_in(buckets, a_b, "opus", k_t0, ms(5000));
    REQUIRE(claim.kind == Claim::Kind::go);
    CHECK(claim.estimated);
    promised.emplace_back(claim.index, claim.wait.count());
  }
  // a at 1 s, then a at 2 s and b at 2 s, then a at 3 s: each waiter its own unit.
  CHECK(promised ==
        std::vector<std::pair<std::size_t, long long>>{{0, 1000}, {0, 2000}, {1, 2000}, {0, 3000}});
  // A wait longer than allowed claims nothing.
  CHECK(pool::claim_in(buckets, a_b, "opus", k_t0, ms(3000)).kind == Claim::Kind::none);
  // A key never seen comes first: its capacity is unknown, not used up.
  CHECK(pool::claim_in(buckets, all(), "opus", k_t0, ms(5000)).index == 2);
}

TEST_CASE("claim: a key under a proactive mark follows its bucket, or the mark without one") {
  BucketMap buckets;
  // No bucket for a: its mark stands, b is chosen.
  CHECK(pool::claim_in(buckets, all(/*soft_a=*/true), "opus", k_t0, ms(0)).index == 1);
  // A bucket that has refilled: a is usable before its mark ends.
  buckets[pool::bucket_id(k_a.fingerprint, "opus")] = five_a_second(0, 5000);
  CHECK(pool::claim_in(buckets, all(true), "opus", k_t0 + ms(1200), ms(0)).index == 0);
}

TEST_CASE("claim: a patient key is waited for within one refill interval and its patience") {
  BucketMap buckets;
  // a: empty, one unit a second, its next unit 600 ms away; b and c unknown.
  buckets[pool::bucket_id(k_a.fingerprint, "opus")] = five_a_second(0, 5000);
  auto patient = [](long long patience_ms) {
    auto candidates = all();
    candidates[0].patience = ms(patience_ms);
    return candidates;
  };
  const auto now = k_t0 + ms(400);
  SUBCASE("within both: a's next unit is taken ahead") {
    auto claim = pool::claim_in(buckets, patient(5000), "opus", now, ms(5000));
    CHECK(claim.kind == Claim::Kind::go);
    CHECK(claim.index == 0);
    CHECK(claim.wait == ms(600));
    CHECK(claim.estimated);
    CHECK(claim.empty.empty()); // not skipped: waited for
    CHECK(buckets.at(pool::bucket_id(k_a.fingerprint, "opus")).level_at(now) ==
          doctest::Approx(-0.6));
    // A second patient walk: a's next free unit is 1.6 s away, more than one
    // refill interval (one is promised to the first waiter), so b serves.
    auto second = pool::claim_in(buckets, patient(5000), "opus", now, ms(5000));
    CHECK(second.index == 1);
    CHECK(second.wait == ms(0));
  }
  SUBCASE("exactly the patience") {
    CHECK(pool::claim_in(buckets, patient(600), "opus", now, ms(600)).wait == ms(600));
  }
  SUBCASE("beyond the patience, or no patience: passed over, nothing taken") {
    auto claim = pool::claim_in(buckets, patient(599), "opus", now, ms(599));
    CHECK(claim.index == 1);
    CHECK(claim.wait == ms(0));
    CHECK(pool::claim_in(buckets, patient(0), "opus", now, ms(5000)).index == 1);
    CHECK(buckets.at(pool::bucket_id(k_a.fingerprint, "opus")).level_at(now) ==
          doctest::Approx(0.4));
  }
  SUBCASE("beyond one refill interval: passed over") {
    // Refused now: its next unit is exactly one interval away (waited for);
    // the one after it is two intervals away.
    buckets[pool::bucket_id(k_a.fingerprint, "opus")].refused(now);
    CHECK(pool::claim_in(buckets, patient(5000), "opus", now, ms(5000)).wait == ms(1000));
    CHECK(pool::claim_in(buckets, patient(5000), "opus", now, ms(5000)).index == 1);
  }
}

namespace {

// One key's bucket in a row of the table below: never seen, a probe with
// requests on their way, or known with a level (5 a bucket, one a second).
struct Seen {
  enum class Kind { never, probe, known } kind = Kind::never;
  double units = 0; // probe: requests on their way; known: the level at k_t0
};
Seen never() { return {}; }
Seen probe(double out) { return {Seen::Kind::probe, out}; }
Seen known(double level) { return {Seen::Kind::known, level}; }

BucketMap buckets_of(const std::vector<Seen>& seen) {
  const keys::Key* const keys[] = {&k_a, &k_b, &k_c};
  BucketMap buckets;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    auto id = pool::bucket_id(keys[i]->fingerprint, "opus");
    if (seen[i].kind == Seen::Kind::probe) {
      Bucket placeholder;
      placeholder.at = k_t0;
      placeholder.level = -seen[i].units;
      buckets[id] = placeholder;
    } else if (seen[i].kind == Seen::Kind::known) {
      auto remaining = static_cast<long long>(seen[i].units);
      buckets[id] = five_a_second(remaining, (5 - remaining) * 1000);
      buckets[id].level = seen[i].units;
    }
  }
  return buckets;
}

} // namespace

TEST_CASE("claim: by units left, the fullest key; never seen counts as full; ties in order") {
  struct Row {
    const char* what;
    std::vector<Seen> seen; // a, b, c
    bool soft_a;
    std::size_t chosen;
    bool probe;
    std::vector<std::size_t> empty;
  };
  const std::vector<Row> rows = {
      {"none seen: the first", {never(), never(), never()}, false, 0, true, {}},
      {"a probe out on a: b", {probe(1), never(), never()}, false, 1, true, {}},
      {"probes out on a and b: c", {probe(1), probe(1), never()}, false, 2, true, {}},
      {"probes everywhere: the fewest out", {probe(2), probe(1), probe(2)}, false, 1, true, {}},
      {"a known not full: b, never seen, is full",
       {known(3), never(), never()},
       false,
       1,
       true,
       {}},
      {"a known full: a tie with b, a first", {known(5), never(), never()}, false, 0, false, {}},
      {"a probe of 2 counts 5 - 2: b's 4 is more",
       {probe(2), known(4), known(3)},
       false,
       1,
       false,
       {}},
      {"a known key is no better than one never seen",
       {known(4), known(4), never()},
       false,
       2,
       true,
       {}},
      {"all known: the most units", {known(2), known(4), known(3)}, false, 1, false, {}},
      {"all known, a tie: in order", {known(2), known(4), known(4)}, false, 1, false, {}},
      {"fractions count", {known(2.9), known(2.4), known(1)}, false, 0, false, {}},
      {"every empty key is reported", {known(4), known(0.5), known(2)}, false, 0, false, {1}},
      {"a soft mark without a bucket stands", {never(), never(), known(5)}, true, 1, true, {}},
      {"a soft mark with a bucket: the bucket decides",
       {known(5), known(3), known(4)},
       true,
       0,
       false,
       {}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    BucketMap buckets = buckets_of(row.seen);
    auto claim =
        pool::claim_in(buckets, all(row.soft_a), "opus", k_t0, ms(0), pool::ClaimOrder::most_left);
    REQUIRE(claim.kind == Claim::Kind::go);
    CHECK(claim.index == row.chosen);
    CHECK(claim.probe == row.probe);
    CHECK(claim.estimated == !row.probe);
    std::vector<std::size_t> empty;
    for (const auto& skipped : claim.empty) {
      empty.push_back(skipped.first);
    }
    CHECK(empty == row.empty);
  }
}

TEST_CASE("claim: in key-file order, the first key with a unit, as before") {
  struct Row {
    const char* what;
    std::vector<Seen> seen;
    std::size_t chosen;
  };
  const std::vector<Row> rows = {
      {"a probe out on a: a again", {probe(1), never(), never()}, 0},
      {"a known not full: a", {known(1), never(), never()}, 0},
      {"all known: the first with a unit", {known(0), known(2), known(4)}, 1},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    BucketMap buckets = buckets_of(row.seen);
    auto claim = pool::claim_in(buckets, all(), "opus", k_t0, ms(0), pool::ClaimOrder::key_file);
    REQUIRE(claim.kind == Claim::Kind::go);
    CHECK(claim.index == row.chosen);
  }
}

TEST_CASE("claim: a probe with a whole known bucket on its way is the last resort") {
  struct Row {
    const char* what;
    std::vector<Seen> seen;
    util::Millis may_wait;
    pool::ClaimOrder order;
    std::size_t chosen;
    bool probe;
    util::Millis wait;
  };
  const auto first = pool::ClaimOrder::key_file;
  const auto most = pool::ClaimOrder::most_left;
  const std::vector<Row> rows = {
      {"5 on their way to a, b has a unit: b",
       {probe(5), known(3), never()},
       ms(0),
       first,
       1,
       false,
       ms(0)},
      {"4 on their way to a: a, one more fits",
       {probe(4), known(3), never()},
       ms(0),
       first,
       0,
       true,
       ms(0)},
      {"a crowded, b empty, c never seen: c",
       {probe(5), known(0), never()},
       ms(0),
       first,
       2,
       true,
       ms(0)},
      {"a and c crowded, b empty, no wait: a after all",
       {probe(5), known(0), probe(5)},
       ms(0),
       first,
       0,
       true,
       ms(0)},
      {"a and c crowded, b empty, a wait: b's next unit",
       {probe(5), known(0), probe(5)},
       ms(5000),
       first,
       1,
       false,
       ms(1000)},
      {"no limit known: no crowd, a as before",
       {probe(9), never(), never()},
       ms(0),
       first,
       0,
       true,
       ms(0)},
      {"by units left too: a crowded, c never seen is full",
       {probe(6), known(2), never()},
       ms(0),
       most,
       2,
       true,
       ms(0)},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    BucketMap buckets = buckets_of(row.seen);
    auto claim = pool::claim_in(buckets, all(), "opus", k_t0, row.may_wait, row.order);
    REQUIRE(claim.kind == Claim::Kind::go);
    CHECK(claim.index == row.chosen);
    CHECK(claim.probe == row.probe);
    CHECK(claim.wait == row.wait);
  }
}

TEST_CASE("claim: by units left, new conversations started at once spread over the keys") {
  // Five keys never seen, eight walks before any answer: each probe counts,
  // so the keys are taken in turn (2 2 2 1 1), not all the first.
  const keys::Key more[] = {keys::make_key("d", "sk-ant-test-bucket-d-000004"),
                            keys::make_key("e", "sk-ant-test-bucket-e-000005")};
  std::vector<ClaimCandidate> five = all();
  five.push_back({&more[0], false});
  five.push_back({&more[1], false});
  BucketMap buckets;
  std::vector<std::size_t> chosen;
  for (int i = 0; i < 8; ++i) {
    chosen.push_back(
        pool::claim_in(buckets, five, "opus", k_t0, ms(0), pool::ClaimOrder::most_left).index);
  }
  CHECK(chosen == std::vector<std::size_t>{0, 1, 2, 3, 4, 0, 1, 2});
  // a answers: 3 left of 5 with one more of its requests still out (2 in
  // all); the keys never seen count as full less their probe: 5 - 2 = 3 for
  // b and c, 5 - 1 = 4 for d and e. So d.
  pool::ModelLimits seen{k_t0, {{"requests", 3, 5, k_t0 + ms(2000)}}};
  pool::observe_requests(buckets, k_a.fingerprint, "opus", seen);
  CHECK(buckets.at(pool::bucket_id(k_a.fingerprint, "opus")).level_at(k_t0) ==
        doctest::Approx(2.0));
  CHECK(pool::claim_in(buckets, five, "opus", k_t0, ms(0), pool::ClaimOrder::most_left).index == 3);
  // In key-file order the same walk would go to a, which has units.
  CHECK(pool::claim_in(buckets, five, "opus", k_t0, ms(0)).index == 0);
}

TEST_CASE("claim: by units left, every key empty: the soonest unit, as in key-file order") {
  BucketMap buckets = buckets_of({known(0), known(0.5), known(0.2)});
  auto claim = pool::claim_in(buckets, all(), "opus", k_t0, ms(5000), pool::ClaimOrder::most_left);
  REQUIRE(claim.kind == Claim::Kind::go);
  CHECK(claim.index == 1);
  CHECK(claim.wait == ms(500));
  CHECK(claim.empty.size() == 3);
  CHECK(pool::claim_in(buckets, all(), "opus", k_t0, ms(0), pool::ClaimOrder::most_left).kind ==
        Claim::Kind::none);
}

TEST_CASE("buckets: full ones are forgotten after ten minutes") {
  BucketMap buckets;
  buckets["x opus"] = five_a_second(0, 5000);
  pool::prune_buckets(buckets, k_t0 + ms(60'000));
  CHECK(buckets.size() == 1);
  pool::prune_buckets(buckets, k_t0 + ms(11 * 60'000));
  CHECK(buckets.empty());
}
