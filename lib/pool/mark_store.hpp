#pragma once

#include "keys/key.hpp"
#include "pool/bucket.hpp"
#include "pool/key_marks.hpp"
#include "pool/mark.hpp"
#include "pool/scope.hpp"

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace pool {

// The marks of each key, by key fingerprint.
using MarkMap = std::unordered_map<std::string, KeyMarks>;

// Where the walker keeps the marks it makes, and what `keys reset` and `keys
// check` change. The state file and Redis implement it for pool mode;
// MemoryMarkStore serves tests and BYOK mode (nothing persisted).
class MarkStore {
public:
  virtual ~MarkStore() = default;
  // The marks known now. Called at the start of each walk.
  virtual MarkMap load() = 0;
  // Records a mark in `scope` as soon as it is made, merged with what is
  // stored (KeyMarks::merge). Never throws for storage trouble: a store that
  // cannot save says so and the walk goes on.
  virtual void record(const keys::Key& key, const Scope& scope, const KeyMark& mark) = 0;
  // A key-wide mark (a store's subclass says `using MarkStore::record;`).
  void record(const keys::Key& key, const KeyMark& mark) {
    record(key, Scope::every_model(), mark);
  }
  // Replaces the last rate limits seen for one model of a key. Informative
  // only (keys status shows them), so a store may keep none: the default.
  // A store that keeps request buckets (ClaimStore) also folds the answer
  // into the model's bucket, and a valid `ticket` (the claim the answer's
  // request was sent under) ends that claim (observe_requests).
  virtual void record_limits(const keys::Key& /*key*/, const std::string& /*model*/,
                             const ModelLimits& /*limits*/, const ClaimTicket& /*ticket*/) {}

  // Throws util::Error before anything is changed when this store must not
  // be changed by this bridge (a state file written by a newer version).
  // Commands that change marks call it first; the default checks nothing.
  virtual void check_writable() {}
  // Removes every mark (every scope) and the limits of the given
  // fingerprints, and returns how many marks; none given removes nothing.
  // Throws util::Error when the change cannot be made, since making it is
  // the whole point of a reset.
  virtual std::size_t reset(const std::vector<std::string>& fingerprints) = 0;
  // Removes every mark in the store, whatever key file made it (keys reset
  // --all); throws as reset() does.
  virtual std::size_t reset_all() = 0;
  // Removes the key-wide disabled marks of the given fingerprints, leaving
  // cooldowns alone (keys check, for keys that work again); returns how
  // many. What storage trouble means is the store's to say (each store's
  // header); a shared store that cannot be changed throws util::Error.
  virtual std::size_t clear_disabled(const std::vector<std::string>& fingerprints) = 0;
};

// Where the walker claims units of the request buckets (docs/marks.md,
// "Claims"). This default keeps no buckets and knows none, so every claim is
// the plain walk: the first candidate without a mark. The state file keeps
// buckets in its claims ledger; MemoryMarkStore in memory.
class ClaimStore {
public:
  virtual ~ClaimStore() = default;
  // Claims a unit of a request bucket for `model` among `candidates` (in
  // key-file order), atomically for every process sharing the store
  // (docs/marks.md, "Claims"), choosing among those with a unit by `order`.
  // A store that keeps no buckets knows none: the first candidate without
  // a mark is chosen, the plain walk.
  virtual Claim claim(const std::vector<ClaimCandidate>& candidates, const std::string& model,
                      util::TimePoint now, util::Millis may_wait, ClaimOrder order) {
    BucketMap none;
    return claim_in(none, candidates, model, now, may_wait, order);
  }
  // A 429 for `model` with `key`: its bucket, if kept, is empty, and the
  // claim of `ticket` (if valid) is over.
  virtual void refused(const keys::Key& /*key*/, const std::string& /*model*/,
                       util::TimePoint /*now*/, const ClaimTicket& /*ticket*/) {}
  // The attempt of a claim is over and no answer said so (settle_claim): a
  // probe's (no ticket), or an estimated claim's whose attempt failed
  // otherwise.
  virtual void settle(const keys::Key& /*key*/, const std::string& /*model*/,
                      const ClaimTicket& /*ticket*/) {}
};

// Both seams in one object: what a walk of a pool is handed (PoolState, and
// MemoryMarkStore in BYOK mode and tests).
class PoolStore : public MarkStore, public ClaimStore {};

class MemoryMarkStore final : public PoolStore {
public:
  using MarkStore::record;
  MarkMap load() override { return m_marks; }
  void record(const keys::Key& key, const Scope& scope, const KeyMark& mark) override {
    m_marks[key.fingerprint].merge(scope, mark);
  }
  void record_limits(const keys::Key& key, const std::string& model, const ModelLimits& limits,
                     const ClaimTicket& ticket) override {
    m_marks[key.fingerprint].limits[model] = limits;
    observe_requests(m_buckets, key.fingerprint, model, limits, ticket);
  }
  Claim claim(const std::vector<ClaimCandidate>& candidates, const std::string& model,
              util::TimePoint now, util::Millis may_wait, ClaimOrder order) override {
    return claim_in(m_buckets, candidates, model, now, may_wait, order);
  }
  void refused(const keys::Key& key, const std::string& model, util::TimePoint now,
               const ClaimTicket& ticket) override {
    refuse_bucket(m_buckets, key.fingerprint, model, now, ticket);
  }
  void settle(const keys::Key& key, const std::string& model, const ClaimTicket& ticket) override {
    settle_claim(m_buckets, key.fingerprint, model, ticket);
  }
  std::size_t reset(const std::vector<std::string>& fingerprints) override;
  std::size_t reset_all() override;
  std::size_t clear_disabled(const std::vector<std::string>& fingerprints) override;
  const BucketMap& buckets() const { return m_buckets; }
  const MarkMap& marks() const { return m_marks; }

private:
  MarkMap m_marks;
  BucketMap m_buckets;
};

} // namespace pool
