#pragma once

#include "common.hpp"
#include "state/fallback_store.hpp"
#include "state/redis_store.hpp"
#include "state/state_store.hpp"
#include "state/state_url.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace app {

// Where --state / BRIDGE_STATE points: a file, or a Redis server
// (docs/redis.md). A malformed URL throws util::Error (exit 78), and is
// never taken as a file path. A password written in --state on the command
// line (where `ps` shows it) gets a warning.
state::StateLocation resolve_state_location(const GlobalOptions& options, const Console& console);

// The mark store of a pool-mode invocation. For a file: the state file. For
// Redis: the Redis store, falling back to the local state file at the
// default path when Redis cannot be used. The walker gets store() and never
// knows which it is.
class PoolState {
public:
  PoolState(const GlobalOptions& options, const std::vector<keys::Key>& pool, util::Clock& clock,
            const Console& console);

  pool::MarkStore& store();
  // The Redis store, or null when the state is a file.
  state::RedisStore* redis() { return m_redis ? &*m_redis : nullptr; }
  // The state file: --state's, or the local one behind Redis.
  state::StateStore& file() { return *m_file; }

private:
  std::optional<state::StateStore> m_file;
  std::optional<state::RedisStore> m_redis;
  std::optional<state::FallbackStore> m_fallback;
};

} // namespace app
