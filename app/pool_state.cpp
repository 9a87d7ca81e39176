#include "pool_state.hpp"

#include "state/fallback_store.hpp"
#include "state/file/state_store.hpp"
#include "state/redis/redis_store.hpp"
#include "util/error.hpp"
#include "util/printable.hpp"

namespace app {

state::StateLocation resolve_state_location(const GlobalOptions& options, const Console& console) {
  std::string text;
  if (options.state) {
    text = *options.state;
  } else if (auto value = env("BRIDGE_STATE")) {
    text = *value;
  } else {
    return state::StateLocation{default_state_file(), std::nullopt};
  }
  auto location = state::parse_state_location(text, env("REDISCLI_AUTH"));
  if (!location) {
    throw util::Error(util::ExitCode::config, location.error());
  }
  if (location->redis && location->redis->password_in_url && options.state) {
    console.warning("the Redis password in --state is visible to every user of this machine "
                    "(ps); put it in REDISCLI_AUTH or BRIDGE_STATE instead");
  }
  return std::move(*location);
}

PoolState::PoolState(const GlobalOptions& options, const std::vector<keys::Key>& pool,
                     util::Clock& clock, const Console& console) {
  auto location = resolve_state_location(options, console);
  auto warn = [&console](const std::string& message) { console.warning(message); };
  if (!location.redis) {
    m_where = "in " + util::printable(location.file);
    m_file = std::make_unique<state::StateStore>(location.file, clock, warn);
    return;
  }
  std::string local = default_state_file();
  m_file = std::make_unique<state::StateStore>(local, clock, warn);
  std::vector<std::string> fingerprints;
  fingerprints.reserve(pool.size());
  for (const auto& key : pool) {
    fingerprints.push_back(key.fingerprint);
  }
  m_where = "on " + location.redis->display();
  m_redis = std::make_unique<state::RedisStore>(std::move(*location.redis), std::move(fingerprints),
                                                clock);
  m_fallback = std::make_unique<state::FallbackStore>(*m_redis, *m_file, local, warn);
}

PoolState::~PoolState() = default;

std::string PoolState::shared_marks() const {
  if (!m_redis || !m_fallback || m_fallback->using_fallback()) {
    return {};
  }
  return m_redis->display();
}

pool::PoolStore& PoolState::store() {
  if (m_fallback) {
    return *m_fallback;
  }
  return *m_file;
}

} // namespace app
