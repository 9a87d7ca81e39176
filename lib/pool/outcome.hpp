#pragma once

#include "util/clock.hpp"

#include <optional>
#include <string>

namespace pool {

// What one upstream attempt came to, in the terms the walk needs. The attempt
// function (given to the Walker) fills it in; the walker knows nothing of
// HTTP beyond these numbers.
struct AttemptOutcome {
  enum class Kind {
    answered,        // an HTTP status arrived (any status, 2xx included)
    network_failure, // DNS, connect, TLS, timeout or reset
    broken_answer,   // the answer began, then failed: a mid-stream error, a drop
                     // after the first event, an oversize or malformed reply
    interrupted,     // SIGINT during the attempt
  };
  Kind kind = Kind::answered;
  int status = 0;
  std::string error_type;             // upstream error type, when the body named one
  util::Millis retry_after{0};        // what the response asked for (docs/contract.md, Retry-After)
  std::optional<bool> should_retry;   // x-should-retry, when sent
  bool received_bytes = false;        // for network failures: had any response byte arrived?

  static AttemptOutcome answer(int status, std::string error_type = {}) {
    AttemptOutcome outcome;
    outcome.status = status;
    outcome.error_type = std::move(error_type);
    return outcome;
  }
  static AttemptOutcome network(bool received_bytes = false) {
    AttemptOutcome outcome;
    outcome.kind = Kind::network_failure;
    outcome.received_bytes = received_bytes;
    return outcome;
  }
};

// The classification table of docs/contract.md (the failover walk).
enum class Verdict {
  success,  // 2xx: done
  cool,     // 429: the key cools, try the next key
  disable,  // 401, 403: the key is disabled, try the next key
  report,   // anything else: no failover, report it
};

Verdict classify(const AttemptOutcome& outcome);

// Whether an answer that is not key-specific may be retried on the same key
// (docs/contract.md, the failover walk): x-should-retry decides when sent; otherwise 408, 409, 5xx
// (529 included) and network failures before any response byte.
bool is_retryable(const AttemptOutcome& outcome);

// The backoff before retry number `retry` (0-based), as the official SDKs do:
// min(0.5 s · 2^retry, 8 s) less up to 25 % jitter (`jitter` in [0, 1)); a
// retry-after of at most 60 s from the server replaces it.
util::Millis retry_delay(const AttemptOutcome& outcome, int retry, double jitter);

} // namespace pool
