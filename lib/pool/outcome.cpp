#include "pool/outcome.hpp"

#include <algorithm>
#include <cmath>

namespace pool {

Verdict classify(const AttemptOutcome& outcome) {
  if (outcome.kind != AttemptOutcome::Kind::answered) {
    return Verdict::report;
  }
  if (outcome.status >= 200 && outcome.status < 300) {
    return Verdict::success;
  }
  if (outcome.status == 429) {
    return Verdict::cool;
  }
  if (outcome.status == 401 || outcome.status == 403) {
    return Verdict::disable;
  }
  return Verdict::report;
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
  double seconds = std::min(0.5 * std::pow(2.0, std::min(retry, 16)), 8.0);
  seconds *= 1.0 - 0.25 * std::clamp(jitter, 0.0, 1.0);
  return util::Millis{static_cast<long long>(seconds * 1000.0)};
}

} // namespace pool
