#pragma once

#include "pool/affinity.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace state {

// The prompt-cache affinities of a state file's pool (docs/marks.md,
// "Affinity"): "<state>.affinity", one line per affinity
//
//   AFFINITY_HASH FINGERPRINT MS_SINCE_EPOCH
//
// changed in place under an flock(2) of the file itself, opened as every
// file beside the state file is (state::open_side_file). Entries older than
// pool::k_affinity_lifetime are dropped when it is written, and beyond
// k_max_entries the oldest go, so the file stays small (about 130 bytes an
// entry). Affinity is a preference: a file that cannot be used (a lock held
// for more than a moment, a file that is not ours, a torn line) is read as
// holding nothing and never fails a request; the first problem is given to
// the warning sink, once.
class AffinityFile final : public pool::AffinityStore {
public:
  static constexpr std::size_t k_max_entries = 4096;

  explicit AffinityFile(const std::string& state_path);

  std::optional<pool::AffinityEntry> lookup(const std::string& id) override;
  void remember(const std::string& id, const std::string& fingerprint,
                util::TimePoint now) override;

  const std::string& path() const { return m_path; }
  // The first problem met, empty when none.
  const std::string& problem() const { return m_problem; }

private:
  std::string m_path;
  std::string m_problem;
};

// The file's text and back; lines that are not ours are skipped.
std::map<std::string, pool::AffinityEntry> parse_affinities(std::string_view text);
// The entries alive at `now`, the newest k_max_entries of them.
std::string serialize_affinities(const std::map<std::string, pool::AffinityEntry>& entries,
                                 util::TimePoint now);

} // namespace state
