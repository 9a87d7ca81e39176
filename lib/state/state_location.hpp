#pragma once

#include "state/redis/redis_url.hpp"
#include "util/expected.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace state {

// What --state / BRIDGE_STATE names: a file path, or a Redis server.
struct StateLocation {
  std::string file; // when `redis` is empty
  std::optional<RedisTarget> redis;
};

// True when `text` is meant as a URL rather than a path: it has a scheme
// followed by "://", or begins with "redis:", "rediss:" or "unix:". Such a
// text is never taken as a file path, even when it does not parse.
bool looks_like_url(std::string_view text);

// Parses --state / BRIDGE_STATE. A plain path is returned as it is; a URL is
// read by parse_redis_url, whose failures (never naming the password) are
// returned as they are; the caller names where the text came from and makes
// a failure exit 78. `env_password`
// (REDISCLI_AUTH) is used when the URL carries no password.
util::Expected<StateLocation> parse_state_location(std::string_view text,
                                                   std::optional<std::string> env_password);

} // namespace state
