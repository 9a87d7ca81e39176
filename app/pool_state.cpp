#include "pool_state.hpp"

#include "state/fallback_affinity.hpp"
#include "state/fallback_store.hpp"
#include "state/file/affinity_file.hpp"
#include "state/file/state_store.hpp"
#include "state/redis/redis_store.hpp"
#include "util/error.hpp"
#include "util/printable.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

namespace app {

namespace {

// A directory where the state file should be is a mistake in the set-up, not
// a file that happens to be unreadable: refused before any request (exit 78),
// so that no `.journal` or `.lock` is left beside it on every run.
void refuse_directory(const std::string& path, const char* source) {
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    std::string dir = path;
    while (dir.size() > 1 && dir.back() == '/') {
      dir.pop_back();
    }
    throw util::Error(util::ExitCode::config,
                      fmt::format("{} {} is a directory: name the state file itself, such as {}",
                                  source, util::printable(path),
                                  util::printable(dir + "/state.json")));
  }
}

} // namespace

state::StateLocation resolve_state_location(const GlobalOptions& options, const Console& console) {
  std::string text;
  const char* source = "--state";
  if (options.state) {
    text = *options.state;
  } else if (auto value = env("BRIDGE_STATE")) {
    text = *value;
    source = "BRIDGE_STATE";
  } else {
    std::string path = default_state_file();
    refuse_directory(path, "the default state file");
    return state::StateLocation{std::move(path), std::nullopt};
  }
  auto location = state::parse_state_location(text, env("REDISCLI_AUTH"));
  if (!location) {
    // Named as the user wrote it: a URL from the environment is not "--state".
    throw util::Error(util::ExitCode::config, fmt::format("{} {}", source, location.error()));
  }
  if (!location->redis) {
    refuse_directory(location->file, source);
  }
  if (location->redis && location->redis->password_in_url && options.state) {
    console.warning("the Redis password in --state is visible to every user of this machine "
                    "(ps); put it in REDISCLI_AUTH or BRIDGE_STATE instead");
  }
  return std::move(*location);
}

PoolState::PoolState(const GlobalOptions& options, const std::vector<keys::Key>& pool,
                     util::Clock& clock, const Console& console,
                     state::LocationCheck* location_check) {
  auto location = resolve_state_location(options, console);
  auto warn = [&console](const std::string& message) { console.warning(message); };
  // The state file: the store itself, or Redis's local fallback.
  std::string local = location.redis ? default_state_file() : location.file;
  m_file = std::make_unique<state::StateStore>(local, clock, warn);
  if (location_check != nullptr) {
    m_file->share_location_check(*location_check);
  }
  if (!location.redis) {
    m_where = "in " + util::printable(location.file);
    m_affinities = std::make_unique<state::AffinityFile>(location.file);
    return;
  }
  std::vector<std::string> fingerprints;
  fingerprints.reserve(pool.size());
  for (const auto& key : pool) {
    fingerprints.push_back(key.fingerprint);
  }
  m_where = "on " + location.redis->display();
  m_redis = std::make_unique<state::RedisStore>(std::move(*location.redis), std::move(fingerprints),
                                                clock);
  m_fallback = std::make_unique<state::FallbackStore>(*m_redis, *m_file, local, warn);
  m_local_affinities = std::make_unique<state::AffinityFile>(local);
  m_affinities =
      std::make_unique<state::FallbackAffinity>(*m_redis, *m_fallback, *m_local_affinities, clock);
}

PoolState::~PoolState() = default;

std::string PoolState::shared_marks() const {
  if (!m_redis || !m_fallback || m_fallback->using_fallback()) {
    return {};
  }
  return m_redis->display();
}

pool::AffinityStore& PoolState::affinities() { return *m_affinities; }

pool::PoolStore& PoolState::store() {
  if (m_fallback) {
    return *m_fallback;
  }
  return *m_file;
}

} // namespace app
