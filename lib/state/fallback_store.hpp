#pragma once

#include "pool/mark_store.hpp"
#include "state/redis_store.hpp"

#include <functional>
#include <string>

namespace state {

// Shared state that never fails a request: the Redis store first, and the
// local state file when Redis cannot be used.
//
// The first failure of the Redis store (cannot connect, no answer within its
// timeout, an error answer, a refused password) gives one warning naming the
// server (never its password), what failed and how long it took, and from
// then on this invocation loads from and records into the fallback store, so
// the machine still remembers what it learns while Redis is away. A record
// that fails goes to the fallback store at once. While Redis answers, the
// fallback store is not touched. The walker sees one MarkStore and never
// knows which of the two served it.
class FallbackStore final : public pool::MarkStore {
public:
  using WarningSink = std::function<void(const std::string&)>;

  FallbackStore(RedisStore& primary, pool::MarkStore& fallback, std::string fallback_name,
                WarningSink warn);

  pool::MarkMap load() override;
  using pool::MarkStore::record;
  void record(const keys::Key& key, const pool::Scope& scope, const pool::KeyMark& mark) override;
  void record_limits(const keys::Key& key, const std::string& model,
                     const pool::ModelLimits& limits) override;

  bool using_fallback() const { return m_down; }

private:
  void give_up(const std::string& problem, util::Millis spent);

  RedisStore& m_primary;
  pool::MarkStore& m_fallback;
  std::string m_fallback_name;
  WarningSink m_warn;
  bool m_down = false;
};

} // namespace state
