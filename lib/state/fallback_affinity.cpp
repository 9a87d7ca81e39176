#include "state/fallback_affinity.hpp"

#include <chrono>

namespace state {

namespace {
util::Millis since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<util::Millis>(std::chrono::steady_clock::now() - start);
}
} // namespace

std::optional<pool::AffinityEntry> FallbackAffinity::lookup(const std::string& id) {
  if (!m_rule.using_fallback()) {
    auto start = std::chrono::steady_clock::now();
    auto found = m_shared.try_affinity(id, m_clock.now());
    if (found) {
      return *found;
    }
    m_rule.shared_failed(found.error(), since(start));
  }
  return m_local.lookup(id);
}

void FallbackAffinity::remember(const std::string& id, const std::string& fingerprint,
                                util::TimePoint now) {
  if (!m_rule.using_fallback()) {
    auto start = std::chrono::steady_clock::now();
    auto done = m_shared.try_remember_affinity(id, fingerprint);
    if (done) {
      return;
    }
    m_rule.shared_failed(done.error(), since(start));
  }
  m_local.remember(id, fingerprint, now);
}

} // namespace state
