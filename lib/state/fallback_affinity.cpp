#include "state/fallback_affinity.hpp"

namespace state {

std::optional<pool::AffinityEntry> FallbackAffinity::lookup(const std::string& id) {
  return m_rule.shared_or_local([&] { return m_shared.try_affinity(id, m_clock.now()); },
                                [&] { return m_local.lookup(id); });
}

void FallbackAffinity::remember(const std::string& id, const std::string& fingerprint,
                                util::TimePoint now) {
  m_rule.shared_or_local([&] { return m_shared.try_remember_affinity(id, fingerprint); },
                         [&] { m_local.remember(id, fingerprint, now); });
}

} // namespace state
