// Prompt-cache affinity on Redis (docs/redis.md, "Affinity"): one string per
// affinity under the pool's root, with an expiry; no script is needed, as
// each change is one command and the last writer wins.
#include "state/redis/redis_store.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>

namespace state {

namespace {
// A fingerprint as bridge writes it ("sha256:" and hex); anything else there
// was not written by bridge and is not followed.
bool fingerprint_like(const std::string& text) {
  return text.size() <= 128 && text.starts_with("sha256:") &&
         text.find_first_not_of("0123456789abcdef", 7) == std::string::npos;
}
} // namespace

std::string RedisStore::affinity_key(const std::string& id) const {
  return fmt::format("{}affinity:{}", pool_root(), id);
}

util::Expected<std::optional<pool::AffinityEntry>> RedisStore::try_affinity(const std::string& id,
                                                                            util::TimePoint now) {
  using Found = util::Expected<std::optional<pool::AffinityEntry>>;
  std::string key = affinity_key(id);
  auto replies = m_connection.pipeline({{"GET", key}, {"PTTL", key}});
  if (!replies) {
    return Found::failure(replies.error());
  }
  const RedisReply& value = (*replies)[0];
  const RedisReply& left = (*replies)[1];
  if (value.is_error() || left.is_error()) {
    return Found::failure(fmt::format("the server answered an error: {}",
                                      value.is_error() ? value.text() : left.text()));
  }
  if (value.is_nil() || left.integer() <= 0 || !fingerprint_like(value.text())) {
    return std::optional<pool::AffinityEntry>();
  }
  util::Millis ttl{std::min<long long>(left.integer(), pool::k_affinity_lifetime.count())};
  return std::optional<pool::AffinityEntry>(
      pool::AffinityEntry{value.text(), now - (pool::k_affinity_lifetime - ttl)});
}

util::Expected<bool> RedisStore::try_remember_affinity(const std::string& id,
                                                       const std::string& fingerprint) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(pool::k_affinity_lifetime);
  auto replies = m_connection.pipeline(
      {{"SET", affinity_key(id), fingerprint, "EX", std::to_string(seconds.count())}});
  if (!replies) {
    return util::Expected<bool>::failure(replies.error());
  }
  if ((*replies)[0].is_error()) {
    return util::Expected<bool>::failure(
        fmt::format("the server answered an error: {}", (*replies)[0].text()));
  }
  return true;
}

} // namespace state
