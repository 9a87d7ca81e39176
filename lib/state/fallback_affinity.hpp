#pragma once

#include "pool/affinity.hpp"
#include "state/fallback_store.hpp"
#include "state/shared_store.hpp"
#include "util/clock.hpp"

namespace state {

// Prompt-cache affinity kept on Redis, under the rule of FallbackStore
// (docs/redis.md, "Faults"): while the shared store answers, the affinity
// is read and remembered there; its first failure (here or for the marks)
// gives the one warning and from then on the local file serves.
class FallbackAffinity final : public pool::AffinityStore {
public:
  FallbackAffinity(SharedAffinityStore& shared, FallbackStore& rule, pool::AffinityStore& local,
                   util::Clock& clock)
      : m_shared(shared), m_rule(rule), m_local(local), m_clock(clock) {}

  std::optional<pool::AffinityEntry> lookup(const std::string& id) override;
  void remember(const std::string& id, const std::string& fingerprint,
                util::TimePoint now) override;

private:
  SharedAffinityStore& m_shared;
  FallbackStore& m_rule;
  pool::AffinityStore& m_local;
  util::Clock& m_clock;
};

} // namespace state
