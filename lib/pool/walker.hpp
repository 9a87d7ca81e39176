#pragma once

#include "keys/key.hpp"
#include "pool/affinity.hpp"
#include "pool/mark_store.hpp"
#include "pool/outcome.hpp"
#include "util/clock.hpp"

#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace pool {

// Makes one upstream attempt with the given key.
using AttemptFn = std::function<AttemptOutcome(const keys::Key&)>;

struct WalkOptions {
  std::string model;                                  // the request's model: the scope of its 429s
  int retries = 0;                                    // same-key retries of non-key failures
  std::optional<util::Millis> wait_max;               // --wait: total time we may sleep for a key
  util::Millis default_cooldown = k_default_cooldown; // a 429 that names no delay
  std::function<double()> jitter;                     // [0, 1); a real random source when empty
  // Prompt-cache affinity (docs/marks.md, "Affinity"): among the keys the
  // walk may use, the key `affinity_store` remembers for `affinity` (within
  // k_affinity_lifetime) is tried first, and a success is remembered. Empty
  // or null: the plain walk.
  std::string affinity;
  AffinityStore* affinity_store = nullptr;
};

// Things the walk tells as it goes, for -v and for "waiting" notices.
struct WalkObserver {
  virtual ~WalkObserver() = default;
  virtual void skipped(const keys::Key&, const Block&, util::TimePoint /*now*/) {}
  virtual void attempted(const keys::Key&, const AttemptOutcome&, Verdict) {}
  // A mark was made (after attempted()): a failover, or a proactive cooldown
  // after a success.
  virtual void marked(const keys::Key&, const Scope&, const KeyMark&) {}
  virtual void retrying(const keys::Key&, int /*retry*/, util::Millis /*delay*/) {}
  virtual void waiting(util::Millis /*delay*/) {}
  // A key skipped because its request bucket for `model` is estimated empty
  // (docs/marks.md, "Claims"); its next request is `left` away.
  virtual void short_of_requests(const keys::Key&, const std::string& /*model*/,
                                 util::Millis /*left*/) {}
  // The key about to be tried is the one that last served the affinity.
  virtual void preferred(const keys::Key&) {}
  // The walk sleeps `delay` for the next request of that key, rather than
  // move the conversation to another key (docs/marks.md, "Affinity").
  virtual void waiting_for_affinity(const keys::Key&, util::Millis /*delay*/) {}
};

struct WalkResult {
  enum class Kind {
    success,   // a key answered 2xx; `key` and `outcome` are its
    failed,    // a non-key-specific failure, reported without failover
    transient, // exhausted, some key cooling (for the model): `retry_after` until the soonest
    permanent, // exhausted, every key disabled
    interrupted,
  };
  Kind kind = Kind::permanent;
  const keys::Key* key = nullptr; // the key of the last attempt, if any
  AttemptOutcome outcome;         // the last attempt's outcome
  util::Millis retry_after{0};
  int attempts = 0;
  int cooling = 0;  // keys cooling at exhaustion
  int disabled = 0; // keys disabled at exhaustion
};

// The failover walk of docs/contract.md. Walks `keys` in order once, skipping
// keys that cannot serve the options' model (disabled, cooling key-wide or
// cooling for that model) and keys whose request bucket for the model is
// estimated empty (the store's claims, docs/marks.md: a key whose bucket is
// known is used only by claiming a unit of it, so that concurrent processes
// spread over keys; with --wait a unit may be claimed ahead and slept for),
// attempting each usable one until one succeeds, a failure
// that is not key-specific ends the walk, or no usable key is left. Marks are
// handed to the store as soon as they are made; so are the rate limits a
// success reports, and the proactive cooldown they may call for. With wait_max it sleeps (on
// the clock) for the soonest cooling key and walks again while the total sleep
// stays within wait_max.
class Walker {
public:
  // The marks go to `marks`, the claims to `claims`; both must outlive the
  // walker.
  Walker(const std::vector<keys::Key>& keys, MarkStore& marks, ClaimStore& claims,
         util::Clock& clock, WalkOptions options = {});
  // One object serving both seams.
  Walker(const std::vector<keys::Key>& keys, PoolStore& store, util::Clock& clock,
         WalkOptions options = {})
      : Walker(keys, store, store, clock, std::move(options)) {}

  WalkResult walk(const AttemptFn& attempt, WalkObserver* observer = nullptr);

private:
  enum class KeyEnd { next_key, done };
  KeyEnd try_key(const keys::Key& key, const AttemptFn& attempt, WalkObserver& observer,
                 WalkResult& result);
  void exhaustion(WalkResult& result) const;
  void learn_from_success(const keys::Key& key, const AttemptOutcome& outcome, WalkObserver& tell);
  void mark(const keys::Key& key, const Scope& scope, const KeyMark& mark, WalkObserver& tell);
  double next_jitter();
  std::optional<std::size_t> preferred_key() const;

  const std::vector<keys::Key>& m_keys;
  MarkStore& m_store;
  ClaimStore& m_claims;
  util::Clock& m_clock;
  WalkOptions m_options;
  MarkMap m_marks;
  // Keys (by index) whose bucket was empty in this pass: time to their next unit.
  std::map<std::size_t, util::Millis> m_short;
  // The ticket of the claim whose attempt is under way, until an answer
  // (record_limits, refused) or the end of the attempt (settle) ends it.
  ClaimTicket m_ticket;
};

} // namespace pool
