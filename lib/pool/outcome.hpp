#pragma once

#include "pool/key_marks.hpp"
#include "pool/mark.hpp"
#include "pool/scope.hpp"
#include "util/clock.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pool {

// Why a key-specific answer cools its key. The provider that read the answer
// says which (upstream::Provider::read): the walk never looks at a
// provider's error codes or messages itself.
using Limit = limits::Limit;
using KeyFault = limits::KeyFault;

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
  std::string error_type;                   // upstream error type, when the body named one
  Limit limit = Limit::rate;                // for an error answer: the kind of limit it names
  KeyFault fault = KeyFault::by_status;     // when the provider judged the error type instead
  std::optional<util::TimePoint> limit_end; // a spend limit's end, when the answer names it
  std::vector<LimitReading> limits;         // the rate limits the response reported, when sent
  util::Millis retry_after{0};      // what the response asked for (docs/contract.md, Retry-After)
  std::optional<bool> should_retry; // x-should-retry, when sent
  bool received_bytes = false;      // for network failures: had any response byte arrived?

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
  success, // 2xx: done
  cool,    // 429, and any answer of a spend or billing limit: the key cools, try the next key
  disable, // 401, 403: the key is disabled, try the next key
  report,  // anything else: no failover, report it
};

Verdict classify(const AttemptOutcome& outcome);

// The cooldown of a 429 that names no delay (docs/contract.md, the failover walk).
inline constexpr util::Millis k_default_cooldown{60'000};
// The cooldown of spend and billing limits that name no end.
inline constexpr util::Millis k_account_cooldown{3'600'000};
// The longest proactive cooldown from rate-limit headers.
inline constexpr util::Millis k_max_proactive_cooldown{60'000};

// The mark a key-specific answer (Verdict cool or disable) earns, made at
// `now`, and the scope it covers: a rate limit cools the key for `model`
// (key-wide when `model` is empty) for the delay the answer asks for, else
// `default_cooldown`; spend and billing limits cool it for every model, with
// the reasons "spend_limit" and "billing", until `limit_end` when that is
// later than `now`, else for k_account_cooldown; 401/403 disable it.
struct Penalty {
  Scope scope;
  KeyMark mark;
};
Penalty penalty_for(const AttemptOutcome& outcome, Verdict verdict, const std::string& model,
                    util::TimePoint now, util::Millis default_cooldown);

// A success that says a limit is used up: the cooldown until the latest
// reset among the kinds whose remaining is 0 (for requests, until the first
// request is back: 1/limit of the way to the reset), at most
// k_max_proactive_cooldown; nullopt when no kind is used up or its reset has
// passed. The reason names the kind ("requests_remaining_0").
struct Proactive {
  util::Millis delay{0};
  std::string reason;
};
std::optional<Proactive> proactive_cooldown(const std::vector<LimitReading>& limits,
                                            util::TimePoint now);

// Whether an answer that is not key-specific may be retried on the same key
// (docs/contract.md, the failover walk): x-should-retry decides when sent; otherwise 408, 409, 5xx
// (529 included) and network failures before any response byte.
bool is_retryable(const AttemptOutcome& outcome);

// The backoff before retry number `retry` (0-based), as the official SDKs do:
// min(0.5 s · 2^retry, 8 s) less up to 25 % jitter (`jitter` in [0, 1)); a
// retry-after of at most 60 s from the server replaces it.
util::Millis retry_delay(const AttemptOutcome& outcome, int retry, double jitter);

} // namespace pool
