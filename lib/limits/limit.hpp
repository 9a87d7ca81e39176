#pragma once

#include "util/clock.hpp"

#include <optional>
#include <string>

// What an upstream answer says about the limits of the key that sent it, in
// terms neither the upstream layer nor the pool owns: the provider reads
// them off an answer (upstream::Provider), and the walk acts on them
// (pool::classify, pool::penalty_for) without knowing the headers, codes or
// messages that told them. This header is the whole layer; it sits between
// util and the two layers that share it, so that upstream never includes
// anything of pool.
namespace limits {

// Why a key-specific answer cools its key.
enum class Limit {
  rate,    // an ordinary 429: for the request's model, as long as it asks
  spend,   // a spend, usage or quota cap of the key's organisation, workspace
           // or project: every model, until the end the answer names or one hour
  billing, // a billing problem (Anthropic's 402): every model, one hour
};

// Whose fault an error answer is, when the provider judges it by the error
// type it names rather than by the HTTP status. Amazon Bedrock is the case:
// its quota answer (ServiceQuotaExceededException) is a 400 and a model still
// loading (ModelNotReadyException) a 429 that no other key would fix.
enum class KeyFault {
  by_status, // the status decides (429 cools, 401 and 403 disable)
  rate,      // a rate or quota limit of the key: it cools, whatever the status
  revoked,   // the key is refused: it is disabled, whatever the status
  none,      // not the key's: reported without failover, whatever the status
};

// One kind of rate limit as a response reported it in its headers. `kind`
// is requests, tokens, input_tokens or output_tokens; -1 means not sent.
struct LimitReading {
  std::string kind;
  long long remaining = -1;
  long long limit = -1;
  std::optional<util::TimePoint> reset; // on our clock

  friend bool operator==(const LimitReading&, const LimitReading&) = default;
};

} // namespace limits
