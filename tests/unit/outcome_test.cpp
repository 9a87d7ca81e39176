#include "pool/outcome.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>

using pool::AttemptOutcome;
using pool::Verdict;
using test::ms;

namespace {

const char* name(Verdict verdict) {
  switch (verdict) {
  case Verdict::success:
    return "success";
  case Verdict::cool:
    return "cool";
  case Verdict::disable:
    return "disable";
  case Verdict::report:
    return "report";
  }
  return "?";
}

AttemptOutcome with_kind(AttemptOutcome::Kind kind) {
  AttemptOutcome outcome;
  outcome.kind = kind;
  return outcome;
}

} // namespace

// By status alone (a 402 or a usage-limit 400 cools only when the provider
// reads it as a billing or spend limit: the next test case).
TEST_CASE("classify: the table of docs/contract.md (the failover walk), row by row") {
  struct Row {
    int status;
    Verdict verdict;
  };
  for (auto row :
       {Row{200, Verdict::success}, Row{201, Verdict::success}, Row{204, Verdict::success},
        Row{299, Verdict::success}, Row{429, Verdict::cool},    Row{401, Verdict::disable},
        Row{403, Verdict::disable}, Row{400, Verdict::report},  Row{402, Verdict::report},
        Row{404, Verdict::report},  Row{408, Verdict::report},  Row{409, Verdict::report},
        Row{413, Verdict::report},  Row{500, Verdict::report},  Row{502, Verdict::report},
        Row{503, Verdict::report},  Row{529, Verdict::report},  Row{300, Verdict::report},
        Row{302, Verdict::report},  Row{199, Verdict::report},  Row{100, Verdict::report},
        Row{0, Verdict::report}}) {
    CAPTURE(row.status);
    auto verdict = pool::classify(AttemptOutcome::answer(row.status));
    CHECK(name(verdict) == std::string(name(row.verdict)));
  }
}

TEST_CASE("classify: failures without an answer are reported, never failed over") {
  CHECK(pool::classify(AttemptOutcome::network()) == Verdict::report);
  CHECK(pool::classify(AttemptOutcome::network(true)) == Verdict::report);
  CHECK(pool::classify(with_kind(AttemptOutcome::Kind::broken_answer)) == Verdict::report);
  // A broken answer whose status was 200 (a stream that died) is no success.
  auto broken = AttemptOutcome::answer(200);
  broken.kind = AttemptOutcome::Kind::broken_answer;
  CHECK(pool::classify(broken) == Verdict::report);
  auto network = AttemptOutcome::network();
  network.status = 429; // a status cannot turn a network failure into a cooldown
  CHECK(pool::classify(network) == Verdict::report);
}

TEST_CASE("is_retryable: 408, 409, 5xx and 529 yes; other statuses no") {
  struct Row {
    int status;
    bool retryable;
  };
  for (auto row : {Row{408, true}, Row{409, true}, Row{500, true}, Row{502, true}, Row{503, true},
                   Row{504, true}, Row{529, true}, Row{599, true}, Row{400, false}, Row{402, false},
                   Row{404, false}, Row{413, false}, Row{422, false}, Row{200, false},
                   Row{429, false}, Row{401, false}, Row{403, false}}) {
    CAPTURE(row.status);
    CHECK(pool::is_retryable(AttemptOutcome::answer(row.status)) == row.retryable);
  }
}

TEST_CASE("is_retryable: network failures only before any response byte") {
  CHECK(pool::is_retryable(AttemptOutcome::network(false)));
  CHECK_FALSE(pool::is_retryable(AttemptOutcome::network(true)));
  CHECK_FALSE(pool::is_retryable(with_kind(AttemptOutcome::Kind::broken_answer)));
  CHECK_FALSE(pool::is_retryable(with_kind(AttemptOutcome::Kind::interrupted)));
}

TEST_CASE("is_retryable: x-should-retry decides when sent") {
  struct Row {
    int status;
    bool should_retry;
    bool retryable;
  };
  for (auto row : {Row{400, true, true}, Row{404, true, true}, Row{500, false, false},
                   Row{529, false, false}, Row{408, false, false}, Row{503, true, true}}) {
    CAPTURE(row.status);
    CAPTURE(row.should_retry);
    auto outcome = AttemptOutcome::answer(row.status);
    outcome.should_retry = row.should_retry;
    CHECK(pool::is_retryable(outcome) == row.retryable);
  }
  // Key-specific answers are handled by failover, whatever the header says.
  for (int status : {429, 401, 403, 200}) {
    CAPTURE(status);
    auto outcome = AttemptOutcome::answer(status);
    outcome.should_retry = true;
    CHECK_FALSE(pool::is_retryable(outcome));
  }
}

TEST_CASE("retry_delay: min(0.5 s * 2^n, 8 s) without jitter") {
  struct Row {
    int retry;
    long long delay_ms;
  };
  for (auto row : {Row{0, 500}, Row{1, 1000}, Row{2, 2000}, Row{3, 4000}, Row{4, 8000},
                   Row{5, 8000}, Row{10, 8000}, Row{31, 8000}, Row{1000, 8000}}) {
    CAPTURE(row.retry);
    CHECK(pool::retry_delay(AttemptOutcome::answer(500), row.retry, 0.0) == ms(row.delay_ms));
  }
}

TEST_CASE("retry_delay: jitter takes off at most 25 %") {
  const double almost_one = 0.999999;
  struct Row {
    int retry;
    long long full_ms;
  };
  for (auto row : {Row{0, 500}, Row{1, 1000}, Row{2, 2000}, Row{3, 4000}, Row{6, 8000}}) {
    CAPTURE(row.retry);
    auto outcome = AttemptOutcome::network();
    auto most_jitter = pool::retry_delay(outcome, row.retry, almost_one);
    CHECK(most_jitter.count() >= row.full_ms * 3 / 4);
    CHECK(most_jitter.count() <= row.full_ms * 3 / 4 + 1);
    auto half_jitter = pool::retry_delay(outcome, row.retry, 0.5);
    CHECK(half_jitter.count() == row.full_ms * 7 / 8);
    for (double jitter = 0.0; jitter < 1.0; jitter += 0.01) {
      auto delay = pool::retry_delay(outcome, row.retry, jitter);
      CHECK(delay.count() >= row.full_ms * 3 / 4);
      CHECK(delay.count() <= row.full_ms);
    }
  }
  // Out-of-range jitter is held to [0, 1].
  CHECK(pool::retry_delay(AttemptOutcome::answer(500), 0, -3.0) == ms(500));
  CHECK(pool::retry_delay(AttemptOutcome::answer(500), 0, 7.0) == ms(375));
}

TEST_CASE("retry_delay: a server's retry-after of at most 60 s is honoured") {
  struct Row {
    long long retry_after_ms;
    long long delay_ms; // with retry 2 and no jitter the backoff alone is 2000
  };
  for (auto row : {Row{1, 1}, Row{1500, 1500}, Row{30'000, 30'000}, Row{60'000, 60'000},
                   Row{60'001, 2000}, Row{3'600'000, 2000}, Row{0, 2000}}) {
    CAPTURE(row.retry_after_ms);
    auto outcome = AttemptOutcome::answer(529);
    outcome.retry_after = ms(row.retry_after_ms);
    CHECK(pool::retry_delay(outcome, 2, 0.0) == ms(row.delay_ms));
  }
  // A server delay is not cut by jitter.
  auto outcome = AttemptOutcome::answer(503);
  outcome.retry_after = ms(1200);
  CHECK(pool::retry_delay(outcome, 0, 0.9) == ms(1200));
}

// ---------------------------------------------------------------------------
// Spend and billing limits, and proactive cooldowns (docs/marks.md).

namespace {
const util::TimePoint k_now = test::at("2026-11-26T03:00:00Z");

AttemptOutcome limited(int status, pool::Limit limit, std::optional<util::TimePoint> end = {}) {
  auto outcome =
      AttemptOutcome::answer(status, status == 402 ? "billing_error" : "rate_limit_error");
  outcome.limit = limit;
  outcome.limit_end = end;
  return outcome;
}
} // namespace

TEST_CASE("classify: an answer the provider read as a spend or billing limit cools, whatever its "
          "status") {
  CHECK(pool::classify(limited(400, limits::Limit::spend)) == Verdict::cool);
  CHECK(pool::classify(limited(402, limits::Limit::billing)) == Verdict::cool);
  CHECK(pool::classify(limited(429, limits::Limit::spend)) == Verdict::cool);
  // Without the provider's word, a 400 or a 402 is reported, not failed over.
  CHECK(pool::classify(AttemptOutcome::answer(400, "invalid_request_error")) == Verdict::report);
  CHECK(pool::classify(AttemptOutcome::answer(402, "billing_error")) == Verdict::report);
}

TEST_CASE("penalty_for: scope, delay and reason of each key-specific answer") {
  auto rate = AttemptOutcome::answer(429, "rate_limit_error");
  rate.retry_after = ms(12'000);
  auto p = pool::penalty_for(rate, Verdict::cool, "opus", k_now, ms(60'000));
  CHECK(p.scope == pool::Scope::of_model("opus"));
  CHECK(p.mark.until == k_now + ms(12'000));
  CHECK(p.mark.reason == "rate_limit_error");

  p = pool::penalty_for(AttemptOutcome::answer(429, "rate_limit_error"), Verdict::cool, "", k_now,
                        ms(60'000));
  CHECK(p.scope.key_wide()); // no model known: key-wide
  CHECK(p.mark.until == k_now + ms(60'000));

  p = pool::penalty_for(AttemptOutcome::answer(401, "authentication_error"), Verdict::disable,
                        "opus", k_now, ms(60'000));
  CHECK(p.scope.key_wide());
  CHECK(p.mark.kind == pool::MarkKind::disabled);

  // A spend limit: every model, until the end it names.
  auto later = limited(429, limits::Limit::spend, k_now + ms(7'200'000));
  later.retry_after = ms(5'000); // not what a spend limit goes by
  p = pool::penalty_for(later, Verdict::cool, "opus", k_now, ms(60'000));
  CHECK(p.scope.key_wide());
  CHECK(p.mark.until == k_now + ms(7'200'000));
  CHECK(p.mark.reason == "spend_limit");

  // A spend-limit time already past, or none: one hour instead.
  p = pool::penalty_for(limited(429, limits::Limit::spend, test::at("2026-11-01T00:00:00Z")),
                        Verdict::cool, "opus", k_now, ms(60'000));
  CHECK(p.scope.key_wide());
  CHECK(p.mark.until == k_now + ms(3'600'000));
  CHECK(p.mark.reason == "spend_limit");
  p = pool::penalty_for(limited(400, limits::Limit::spend), Verdict::cool, "opus", k_now,
                        ms(60'000));
  CHECK(p.mark.until == k_now + ms(3'600'000));

  // Billing: every model, one hour.
  p = pool::penalty_for(limited(402, limits::Limit::billing), Verdict::cool, "opus", k_now,
                        ms(60'000));
  CHECK(p.scope.key_wide());
  CHECK(p.mark.until == k_now + ms(3'600'000));
  CHECK(p.mark.reason == "billing");
}

TEST_CASE("proactive_cooldown: until the latest reset of a used-up kind (the first request back "
          "for requests), at most 60 s") {
  using limits::LimitReading;
  CHECK_FALSE(pool::proactive_cooldown({}, k_now));
  CHECK_FALSE(
      pool::proactive_cooldown({LimitReading{"requests", 1, 50, k_now + ms(5'000)}}, k_now));
  CHECK_FALSE(pool::proactive_cooldown({LimitReading{"requests", 0, 50, std::nullopt}}, k_now));
  CHECK_FALSE(pool::proactive_cooldown({LimitReading{"requests", 0, 50, k_now}}, k_now));
  CHECK_FALSE(
      pool::proactive_cooldown({LimitReading{"requests", -1, 50, k_now + ms(5'000)}}, k_now));
  auto one = pool::proactive_cooldown({LimitReading{"tokens", 0, 50, k_now + ms(2'500)}}, k_now);
  REQUIRE(one);
  CHECK(one->delay == ms(2'500));
  CHECK(one->reason == "tokens_remaining_0");
  auto capped = pool::proactive_cooldown({LimitReading{"requests", 0, 1, k_now + ms(61'000)},
                                          LimitReading{"tokens", 0, 50, k_now + ms(2'500)}},
                                         k_now);
  REQUIRE(capped);
  CHECK(capped->delay == ms(60'000));
  CHECK(capped->reason == "requests_remaining_0");
  // Requests come back one at a time: the first of 50 after 61 s / 50.
  auto first = pool::proactive_cooldown({LimitReading{"requests", 0, 50, k_now + ms(61'000)},
                                         LimitReading{"tokens", 0, 50, k_now + ms(900)}},
                                        k_now);
  REQUIRE(first);
  CHECK(first->delay == ms(1'220));
  CHECK(first->reason == "requests_remaining_0");
}

// A provider that judges by error type (Bedrock) overrides the status: its
// quota 400 cools, its model-not-ready 429 does not, its refusals disable.
TEST_CASE("classify: a provider's key fault wins over the status") {
  auto with_fault = [](int status, pool::KeyFault fault) {
    auto outcome = AttemptOutcome::answer(status, "SomeException");
    outcome.fault = fault;
    return outcome;
  };
  CHECK(pool::classify(with_fault(400, pool::KeyFault::rate)) == Verdict::cool);
  CHECK(pool::classify(with_fault(429, pool::KeyFault::none)) == Verdict::report);
  CHECK(pool::classify(with_fault(403, pool::KeyFault::none)) == Verdict::report);
  CHECK(pool::classify(with_fault(400, pool::KeyFault::revoked)) == Verdict::disable);
  CHECK(pool::classify(with_fault(200, pool::KeyFault::none)) == Verdict::success);
  auto model_not_ready = with_fault(429, pool::KeyFault::none);
  model_not_ready.should_retry = true;
  CHECK(pool::is_retryable(model_not_ready));
  auto quota = with_fault(400, pool::KeyFault::rate);
  auto penalty = pool::penalty_for(quota, Verdict::cool, "m1", util::TimePoint{}, ms(60'000));
  CHECK(penalty.scope == pool::Scope::of_model("m1"));
  CHECK(penalty.mark.reason == "SomeException");
}
