#pragma once

#include "util/clock.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>

namespace pool {

// How long a walk prefers the key that last served an affinity: as long as
// an upstream keeps a prompt prefix in its cache (docs/marks.md, "Affinity").
inline constexpr util::Millis k_affinity_lifetime{3'600'000};

// The key that last served an affinity, and when.
struct AffinityEntry {
  std::string fingerprint;
  util::TimePoint at;
};

// Where a walk remembers which key served an affinity (a hash of the session
// name or of the prompt's prefix; never the name or the prompt itself). The
// state file keeps them beside itself, Redis under the pool's root, with an
// expiry; MemoryAffinityStore serves tests and BYOK mode. Affinity is a
// preference only: a store that cannot read or save says nothing and
// forgets, and the walk is the plain walk.
class AffinityStore {
public:
  virtual ~AffinityStore() = default;
  // The key last remembered for `id`, if any (possibly older than
  // k_affinity_lifetime: the walker judges the age).
  virtual std::optional<AffinityEntry> lookup(const std::string& id) = 0;
  // `fingerprint`'s key served `id` at `now`.
  virtual void remember(const std::string& id, const std::string& fingerprint,
                        util::TimePoint now) = 0;
};

class MemoryAffinityStore final : public AffinityStore {
public:
  std::optional<AffinityEntry> lookup(const std::string& id) override {
    auto it = m_entries.find(id);
    if (it == m_entries.end()) {
      return std::nullopt;
    }
    return it->second;
  }
  void remember(const std::string& id, const std::string& fingerprint,
                util::TimePoint now) override {
    m_entries[id] = AffinityEntry{fingerprint, now};
  }
  std::size_t size() const { return m_entries.size(); }

private:
  std::map<std::string, AffinityEntry> m_entries;
};

// Whether `entry` still names the key to prefer at `now`.
inline bool affinity_alive(const AffinityEntry& entry, util::TimePoint now) {
  return now >= entry.at && now - entry.at < k_affinity_lifetime;
}

} // namespace pool
