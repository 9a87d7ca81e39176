#pragma once

#include "common.hpp"
#include "pool/affinity.hpp"
#include "pool/mark_store.hpp"
#include "state/state_location.hpp"

#include <memory>
#include <string>
#include <vector>

namespace state {
class FallbackStore;
class LocationCheck;
class RedisStore;
class StateStore;
} // namespace state

namespace app {

// Where --state / BRIDGE_STATE points: a file, or a Redis server
// (docs/redis.md). A malformed URL throws util::Error (exit 78), and is
// never taken as a file path. A password written in --state on the command
// line (where `ps` shows it) gets a warning.
state::StateLocation resolve_state_location(const GlobalOptions& options, const Console& console);

// The store of a pool-mode invocation, behind the pool's interfaces only.
// For a file: the state file. For Redis: the Redis store, falling back to
// the local state file at the default path as state::FallbackStore decides
// (docs/redis.md, "Faults"). Commands and the walker get store() and never
// know which it is.
class PoolState {
public:
  // `location_check`, when given (it outlives this), checks the state
  // file's location for the state files (state/file/location_check.hpp).
  PoolState(const GlobalOptions& options, const std::vector<keys::Key>& pool, util::Clock& clock,
            const Console& console, state::LocationCheck* location_check = nullptr);
  ~PoolState();
  PoolState(const PoolState&) = delete;
  PoolState& operator=(const PoolState&) = delete;

  pool::PoolStore& store();
  // Which key last served each prompt-cache affinity: beside the state
  // file, or on Redis with the same fallback as the marks.
  pool::AffinityStore& affinities();
  // Where the marks are, for messages: "in PATH" or "on redis://HOST:PORT/DB"
  // (never a password).
  const std::string& where() const { return m_where; }
  // The shared store that served the marks ("redis://HOST:PORT/DB"), or
  // empty: a state file, or Redis given up for the local file.
  std::string shared_marks() const;

private:
  std::unique_ptr<state::StateStore> m_file;
  std::unique_ptr<state::RedisStore> m_redis;
  std::unique_ptr<state::FallbackStore> m_fallback;
  std::unique_ptr<pool::AffinityStore> m_local_affinities; // behind Redis
  std::unique_ptr<pool::AffinityStore> m_affinities;
  std::string m_where;
};

} // namespace app
