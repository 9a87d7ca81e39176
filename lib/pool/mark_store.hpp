#pragma once

#include "keys/key.hpp"
#include "pool/mark.hpp"

#include <string>
#include <unordered_map>

namespace pool {

// Marks by key fingerprint.
using MarkMap = std::unordered_map<std::string, KeyMark>;

// Where the walker keeps what it learns. The state file implements it for
// pool mode; MemoryMarkStore serves tests and BYOK mode (nothing persisted).
class MarkStore {
public:
  virtual ~MarkStore() = default;
  // The marks known now. Called at the start of each walk.
  virtual MarkMap load() = 0;
  // Records a mark as soon as it is made, merged with what is stored
  // (merge_marks). Never throws for storage trouble: a store that cannot save
  // says so and the walk goes on.
  virtual void record(const keys::Key& key, const KeyMark& mark) = 0;
};

class MemoryMarkStore final : public MarkStore {
public:
  MarkMap load() override { return m_marks; }
  void record(const keys::Key& key, const KeyMark& mark) override {
    auto it = m_marks.find(key.fingerprint);
    auto stored = it == m_marks.end() ? std::nullopt : std::optional<KeyMark>(it->second);
    m_marks[key.fingerprint] = merge_marks(stored, mark);
  }
  const MarkMap& marks() const { return m_marks; }

private:
  MarkMap m_marks;
};

} // namespace pool
