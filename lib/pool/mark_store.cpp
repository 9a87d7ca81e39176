#include "pool/mark_store.hpp"

namespace pool {

std::size_t MemoryMarkStore::reset(const std::vector<std::string>& fingerprints) {
  std::size_t removed = 0;
  for (const auto& fingerprint : fingerprints) {
    removed += m_marks.erase(fingerprint);
  }
  return removed;
}

std::size_t MemoryMarkStore::reset_all() {
  std::size_t removed = m_marks.size();
  m_marks.clear();
  m_buckets.clear();
  return removed;
}

std::size_t MemoryMarkStore::clear_disabled(const std::vector<std::string>& fingerprints) {
  std::size_t cleared = 0;
  for (const auto& fingerprint : fingerprints) {
    auto it = m_marks.find(fingerprint);
    if (it != m_marks.end() && it->second.key_wide && is_disabled(*it->second.key_wide)) {
      it->second.key_wide.reset();
      ++cleared;
    }
  }
  return cleared;
}

} // namespace pool
