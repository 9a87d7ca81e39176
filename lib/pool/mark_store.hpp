#pragma once

#include "keys/key.hpp"
#include "pool/bucket.hpp"
#include "pool/key_marks.hpp"
#include "pool/mark.hpp"
#include "pool/scope.hpp"

#include <string>
#include <unordered_map>

namespace pool {

// The marks of each key, by key fingerprint.
using MarkMap = std::unordered_map<std::string, KeyMarks>;

// Where the walker keeps what it learns. The state file implements it for
// pool mode; MemoryMarkStore serves tests and BYOK mode (nothing persisted).
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
  void record(const keys::Key& key, const KeyMark& mark) { record(key, Scope::every_model(), mark); }
  // Replaces the last rate limits seen for one model of a key. Informative
  // only (keys status shows them), so a store may keep none: the default.
  virtual void record_limits(const keys::Key& /*key*/, const std::string& /*model*/,
                             const ModelLimits& /*limits*/) {}
  // Claims a unit of a request bucket for `model` among `candidates` (in
  // key-file order), atomically for every process sharing the store
  // (docs/marks.md, "Claims"). A store that keeps no buckets knows none:
  // the first candidate without a mark is chosen, the plain walk.
  virtual Claim claim(const std::vector<ClaimCandidate>& candidates, const std::string& model,
                      util::TimePoint now, util::Millis may_wait) {
    BucketMap none;
    return claim_in(none, candidates, model, now, may_wait);
  }
  // A 429 for `model` with `key`: its bucket, if kept, is empty.
  virtual void refused(const keys::Key& /*key*/, const std::string& /*model*/,
                       util::TimePoint /*now*/) {}
  // The attempt of a claim with `probe` set is over (settle_probe).
  virtual void settle(const keys::Key& /*key*/, const std::string& /*model*/) {}
};

class MemoryMarkStore final : public MarkStore {
public:
  using MarkStore::record;
  MarkMap load() override { return m_marks; }
  void record(const keys::Key& key, const Scope& scope, const KeyMark& mark) override {
    m_marks[key.fingerprint].merge(scope, mark);
  }
  void record_limits(const keys::Key& key, const std::string& model,
                     const ModelLimits& limits) override {
    m_marks[key.fingerprint].limits[model] = limits;
    observe_requests(m_buckets, key.fingerprint, model, limits);
  }
  Claim claim(const std::vector<ClaimCandidate>& candidates, const std::string& model,
              util::TimePoint now, util::Millis may_wait) override {
    return claim_in(m_buckets, candidates, model, now, may_wait);
  }
  void refused(const keys::Key& key, const std::string& model, util::TimePoint now) override {
    refuse_bucket(m_buckets, key.fingerprint, model, now);
  }
  void settle(const keys::Key& key, const std::string& model) override {
    settle_probe(m_buckets, key.fingerprint, model);
  }
  const BucketMap& buckets() const { return m_buckets; }
  const MarkMap& marks() const { return m_marks; }

private:
  MarkMap m_marks;
  BucketMap m_buckets;
};

} // namespace pool
