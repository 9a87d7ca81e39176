#include "state/file/location_check.hpp"

#include "state/file/path_safety.hpp"

namespace state {

std::optional<std::string> LocationCheck::problem(const std::string& path, util::TimePoint now) {
  {
    std::lock_guard lock(m_mutex);
    auto it = m_safe_at.find(path);
    // A clock set back counts as stale.
    if (it != m_safe_at.end() && now >= it->second && now - it->second < m_fresh_for) {
      return std::nullopt;
    }
  }
  bool settled = false;
  auto problem = state_location_problem(path, settled);
  std::lock_guard lock(m_mutex);
  if (settled) {
    m_safe_at[path] = now;
  } else {
    m_safe_at.erase(path);
  }
  return problem;
}

std::optional<std::string> location_problem(LocationCheck* check, const std::string& path,
                                            util::TimePoint now) {
  return check != nullptr ? check->problem(path, now) : state_location_problem(path);
}

} // namespace state
