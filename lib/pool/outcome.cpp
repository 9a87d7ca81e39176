#include "pool/outcome.hpp"

#include <algorithm>

namespace pool {

Verdict classify(const AttemptOutcome& outcome) {
  if (outcome.kind != AttemptOutcome::Kind::answered) {
    return Verdict::report;
  }
  if (outcome.status >= 200 && outcome.status < 300) {
    return Verdict::success;
  }
  switch (outcome.fault) {
  case KeyFault::rate:
    return Verdict::cool;
  case KeyFault::revoked:
    return Verdict::disable;
  case KeyFault::none:
    return Verdict::report;
  case KeyFault::by_status:
    break;
  }
  if (outcome.status == 429 || outcome.limit != Limit::rate) {
    return Verdict::cool;
  }
  if (outcome.status == 401 || outcome.status == 403) {
    return Verdict::disable;
  }
  return Verdict::report;
}

Penalty penalty_for(const AttemptOutcome& outcome, Verdict verdict, const std::string& model,
                    util::TimePoint now, util::Millis default_cooldown) {
  if (verdict == Verdict::disable) {
    return {Scope::every_model(), KeyMark::disabled(now, outcome.status, outcome.error_type)};
  }
  switch (outcome.limit) {
  case Limit::billing:
    return {Scope::every_model(),
            KeyMark::cooling(now, k_account_cooldown, outcome.status, "billing")};
  case Limit::spend: {
    util::Millis delay = k_account_cooldown;
    if (outcome.limit_end && *outcome.limit_end > now) {
      delay = *outcome.limit_end - now;
    }
    return {Scope::every_model(), KeyMark::cooling(now, delay, outcome.status, "spend_limit")};
  }
  case Limit::rate:
    break;
  }
  util::Millis delay = outcome.retry_after.count() > 0 ? outcome.retry_after : default_cooldown;
  return {Scope::of_model(model), KeyMark::cooling(now, delay, outcome.status, outcome.error_type)};
}

std::optional<Proactive> proactive_cooldown(const std::vector<LimitReading>& limits,
                                            util::TimePoint now) {
  std::optional<Proactive> found;
  for (const auto& reading : limits) {
    if (reading.remaining != 0 || !reading.reset || *reading.reset <= now) {
      continue;
    }
    util::Millis delay = *reading.reset - now;
    if (reading.kind == "requests" && reading.limit > 1) {
      // Requests come back one at a time as the bucket refills (-reset is
      // when it is full): the first is back after 1/limit of the time to
      // full (docs/marks.md, "Claims"). Token kinds keep the whole span:
      // the next request's size is unknown.
      delay = util::Millis{(delay.count() + reading.limit - 1) / reading.limit};
    }
    delay = std::min(delay, k_max_proactive_cooldown);
    if (!found || delay > found->delay) {
      found = Proactive{delay, reading.kind + "_remaining_0"};
    }
  }
  return found;
}

bool is_retryable(const AttemptOutcome& outcome) {
  switch (outcome.kind) {
  case AttemptOutcome::Kind::network_failure:
    return !outcome.received_bytes;
  case AttemptOutcome::Kind::broken_answer:
  case AttemptOutcome::Kind::interrupted:
    return false;
  case AttemptOutcome::Kind::answered:
    break;
  }
  if (classify(outcome) != Verdict::report) {
    return false; // success, or key-specific: the walk handles those
  }
  if (outcome.should_retry) {
    return *outcome.should_retry;
  }
  return outcome.status == 408 || outcome.status == 409 || outcome.status >= 500;
}

util::Millis retry_delay(const AttemptOutcome& outcome, int retry, double jitter) {
  constexpr util::Millis k_server_limit{60'000};
  if (outcome.retry_after.count() > 0 && outcome.retry_after <= k_server_limit) {
    return outcome.retry_after;
  }
  // 2^n as a shift: std::pow is libm's (util/ceil_millis.hpp says why not).
  double seconds = std::min(0.5 * static_cast<double>(1 << std::clamp(retry, 0, 16)), 8.0);
  seconds *= 1.0 - 0.25 * std::clamp(jitter, 0.0, 1.0);
  return util::Millis{static_cast<long long>(seconds * 1000.0)};
}

} // namespace pool
