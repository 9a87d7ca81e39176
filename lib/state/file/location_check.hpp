#pragma once

// state_location_problem (path_safety.hpp) for a process that loads the same
// state file again and again (the listener: every request). The walk from /
// and the look at each file beside the state file cost a dozen system calls
// per load; a location found safe and settled (every directory there, none
// writable by others) can then only be made unsafe by its owner or root, so
// that finding is trusted for `fresh_for` before the walk is made again. A
// problem is never remembered: the next load looks again. What a load reads
// (the journal, the state file, the ledger) is read afresh as ever, and each
// file is still checked when it is opened (open_side_file, the state file's
// owner).

#include "util/clock.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace state {

class LocationCheck {
public:
  static constexpr util::Millis k_fresh_for{1000};

  explicit LocationCheck(util::Millis fresh_for = k_fresh_for) : m_fresh_for(fresh_for) {}

  // state_location_problem(path), or nullopt when `path` was found safe and
  // settled less than fresh_for before `now`. Thread-safe.
  std::optional<std::string> problem(const std::string& path, util::TimePoint now);

private:
  util::Millis m_fresh_for;
  std::mutex m_mutex;
  std::map<std::string, util::TimePoint> m_safe_at; // path: when last found safe and settled
};

// check->problem(path, now), or state_location_problem(path) without a check.
std::optional<std::string> location_problem(LocationCheck* check, const std::string& path,
                                            util::TimePoint now);

} // namespace state
