#include "state/redis/redis_store.hpp"

#include "pool/limits_json.hpp"
#include "state/file/json_fields.hpp"
#include "state/redis/redis_scripts.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <hiredis/hiredis.h>

namespace state {

namespace {

// The scope of a mark that holds for the whole key (every model), and the
// start of a model's scope.
constexpr std::string_view k_key_scope = "key";
constexpr std::string_view k_model_scope = "model:";

using Replies = util::Expected<std::vector<RedisReply>>;

// A mark as the server keeps it, seen from this machine's clock: a cooldown
// ends PTTL from now, and began its full delay before that end, so that
// cooldown_left() gives exactly what the server has left.
std::optional<pool::KeyMark> to_mark(const std::string& kind, long long status, std::string reason,
                                     long long since_ms, long long delay_ms, long long pttl_ms,
                                     util::TimePoint now) {
  pool::KeyMark mark;
  mark.status = static_cast<int>(std::clamp(status, 0LL, 999LL));
  mark.reason = std::move(reason);
  // Whoever can write to the server can store any number: each is clamped
  // (pool::clamp_time, clamp_delay) before any arithmetic on time points.
  if (kind == "disabled") {
    mark.kind = pool::MarkKind::disabled;
    mark.since = pool::clamp_time(since_ms);
    mark.until = mark.since;
    return mark;
  }
  if (kind != "cooling" || pttl_ms <= 0) {
    return std::nullopt; // expired on the way, or not ours
  }
  mark.kind = pool::MarkKind::cooling;
  util::Millis left = pool::clamp_delay(pttl_ms);
  mark.until = now + left;
  mark.since = mark.until - std::max(pool::clamp_delay(delay_ms), left);
  return mark;
}

} // namespace

RedisStore::RedisStore(RedisTarget target, std::vector<std::string> fingerprints,
                       util::Clock& clock)
    : m_connection(std::move(target)), m_fingerprints(std::move(fingerprints)), m_clock(clock) {}

std::string RedisStore::pool_root() const {
  return fmt::format("{}{}:", target().prefix, k_pool_tag);
}

std::string RedisStore::mark_key(const std::string& fingerprint, const std::string& scope) const {
  return fmt::format("{}mark:{}:{}", pool_root(), fingerprint, scope);
}

std::string RedisStore::scopes_key(const std::string& fingerprint) const {
  return fmt::format("{}scopes:{}", pool_root(), fingerprint);
}

std::string RedisStore::limits_key(const std::string& fingerprint) const {
  return fmt::format("{}limits:{}", pool_root(), fingerprint);
}

std::string RedisStore::bucket_key(const std::string& fingerprint, const std::string& model) const {
  return fmt::format("{}bucket:{}:{}", pool_root(), fingerprint, model);
}

std::string RedisStore::scope_name(const pool::Scope& scope) {
  return scope.key_wide() ? std::string(k_key_scope) : std::string(k_model_scope) + scope.model();
}

std::vector<RedisCommand>
RedisStore::batched_calls(const char* sha, const std::vector<std::string>& fingerprints) const {
  std::vector<RedisCommand> calls;
  std::string root = pool_root();
  for (std::size_t start = 0; start < fingerprints.size(); start += k_batch) {
    std::size_t end = std::min(fingerprints.size(), start + k_batch);
    RedisCommand call{"EVALSHA", sha, std::to_string(end - start)};
    call.reserve(3 + 2 * (end - start) + 1);
    for (std::size_t i = start; i < end; ++i) {
      call.push_back(scopes_key(fingerprints[i]));
    }
    call.push_back(root);
    for (std::size_t i = start; i < end; ++i) {
      call.push_back(fingerprints[i]);
    }
    calls.push_back(std::move(call));
  }
  return calls;
}

Replies RedisStore::run_script(const char* script, std::vector<RedisCommand> calls) {
  auto replies = m_connection.pipeline(calls);
  if (!replies) {
    return replies;
  }
  // A server that was restarted or flushed its script cache answers
  // NOSCRIPT: send those calls again with the text (EVAL loads it).
  std::vector<RedisCommand> again;
  std::vector<std::size_t> where;
  for (std::size_t i = 0; i < replies->size(); ++i) {
    if ((*replies)[i].is_error() && (*replies)[i].text().starts_with("NOSCRIPT")) {
      calls[i][0] = "EVAL";
      calls[i][1] = script;
      again.push_back(std::move(calls[i]));
      where.push_back(i);
    }
  }
  if (!again.empty()) {
    auto retried = m_connection.pipeline(again);
    if (!retried) {
      return retried;
    }
    for (std::size_t j = 0; j < where.size(); ++j) {
      (*replies)[where[j]] = std::move((*retried)[j]);
    }
  }
  for (const auto& reply : *replies) {
    if (reply.is_error()) {
      return Replies::failure(fmt::format("the server answered an error: {}", reply.text()));
    }
  }
  return replies;
}

util::Expected<pool::MarkMap> RedisStore::try_load() {
  pool::MarkMap marks;
  if (m_fingerprints.empty()) {
    return marks;
  }
  auto replies = run_script(k_load_script, batched_calls(k_load_sha, m_fingerprints));
  if (!replies) {
    return util::Expected<pool::MarkMap>::failure(replies.error());
  }
  auto now = m_clock.now();
  for (const auto& reply : *replies) {
    for (std::size_t i = 0; i + 8 <= reply.size(); i += 8) {
      // Eight fields per record: fingerprint, scope, kind, status, reason,
      // since_ms, delay_ms, pttl_ms (load.lua).
      std::string fingerprint = RedisReply::text_of(reply.element(i));
      std::string scope_text = RedisReply::text_of(reply.element(i + 1));
      std::string kind = RedisReply::text_of(reply.element(i + 2));
      pool::Scope scope;
      if (scope_text.starts_with(k_model_scope) && scope_text.size() > k_model_scope.size()) {
        scope = pool::Scope::of_model(scope_text.substr(k_model_scope.size()));
      } else if (scope_text != k_key_scope || kind == "limits") {
        continue; // a scope a newer version made: not ours to judge
      }
      if (kind == "limits") {
        auto json = nlohmann::json::parse(RedisReply::text_of(reply.element(i + 4)), nullptr,
                                          /*allow_exceptions=*/false);
        auto limits = read_limits(json);
        if (limits && now - limits->seen <= k_limits_kept) {
          marks[fingerprint].limits[scope.model()] = std::move(*limits);
        }
        continue;
      }
      auto mark = to_mark(kind, RedisReply::integer_of(reply.element(i + 3)),
                          RedisReply::text_of(reply.element(i + 4)),
                          RedisReply::integer_of(reply.element(i + 5)),
                          RedisReply::integer_of(reply.element(i + 6)),
                          RedisReply::integer_of(reply.element(i + 7)), now);
      if (mark) {
        marks[fingerprint].merge(scope, *mark);
      }
    }
  }
  return marks;
}

util::Expected<bool> RedisStore::try_record(const keys::Key& key, const pool::Scope& scope,
                                            const pool::KeyMark& mark) {
  bool disabled = pool::is_disabled(mark);
  // A disabled mark is the key's, whatever model showed it (KeyMarks::merge).
  std::string name = disabled ? std::string(k_key_scope) : scope_name(scope);
  long long delay = disabled ? 0 : std::max<long long>((mark.until - mark.since).count(), 1);
  RedisCommand call{"EVALSHA",
                    k_record_sha,
                    "2",
                    mark_key(key.fingerprint, name),
                    scopes_key(key.fingerprint),
                    pool::to_string(mark.kind),
                    std::to_string(delay),
                    std::to_string(mark.status),
                    mark.reason,
                    key.label,
                    key.hint,
                    name};
  auto replies = run_script(k_record_script, {std::move(call)});
  if (!replies) {
    return util::Expected<bool>::failure(replies.error());
  }
  return true;
}

util::Expected<bool> RedisStore::try_record_limits(const keys::Key& key, const std::string& model,
                                                   const pool::ModelLimits& limits) {
  // Replaces the model's limits and keeps the hash as long as the file keeps
  // them (k_limits_kept after the last write); one pipelined round trip.
  // The requests limit also teaches the model's bucket (claim.lua), in the
  // same round trip.
  std::string hash = limits_key(key.fingerprint);
  std::vector<RedisCommand> calls{{"HSET", hash, model, pool::limits_json(limits).dump()},
                                  {"PEXPIRE", hash, std::to_string(k_limits_kept.count())}};
  if (auto observe = observe_call(key, model, limits)) {
    calls.push_back(std::move(*observe));
  }
  auto replies = run_script(k_claim_script, std::move(calls));
  if (!replies) {
    return util::Expected<bool>::failure(replies.error());
  }
  return true;
}

util::Expected<std::size_t> RedisStore::try_reset(const std::vector<std::string>& fingerprints) {
  std::size_t removed = 0;
  if (fingerprints.empty()) {
    return removed;
  }
  auto replies = run_script(k_reset_script, batched_calls(k_reset_sha, fingerprints));
  if (!replies) {
    return util::Expected<std::size_t>::failure(replies.error());
  }
  for (const auto& reply : *replies) {
    removed += static_cast<std::size_t>(std::max(0LL, reply.integer()));
  }
  return removed;
}

util::Expected<std::size_t>
RedisStore::try_clear_disabled(const std::vector<std::string>& fingerprints) {
  std::size_t cleared = 0;
  if (fingerprints.empty()) {
    return cleared;
  }
  auto replies =
      run_script(k_clear_disabled_script, batched_calls(k_clear_disabled_sha, fingerprints));
  if (!replies) {
    return util::Expected<std::size_t>::failure(replies.error());
  }
  for (const auto& reply : *replies) {
    cleared += static_cast<std::size_t>(std::max(0LL, reply.integer()));
  }
  return cleared;
}

util::Expected<std::size_t> RedisStore::try_reset_all() {
  using Count = util::Expected<std::size_t>;
  // The prefix is matched literally: escape what MATCH treats as a pattern.
  std::string pattern;
  for (char c : target().prefix) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
      pattern += '\\';
    }
    pattern += c;
  }
  pattern += k_pool_tag;
  pattern += ":*";
  // SCAN and DBSIZE name no key, so a Redis Cluster answers them from
  // whichever node the URL names: a command on a key of the pool's slot
  // first, so that a MOVED takes the walk to the node that holds the pool.
  // A server whose SCAN never comes back to cursor 0 must not hold bridge
  // for ever: the walk is bounded by what the database holds (DBSIZE).
  auto owner = m_connection.pipeline({{"EXISTS", pool_root()}});
  if (!owner) {
    return Count::failure(owner.error());
  }
  auto size = m_connection.pipeline({{"DBSIZE"}});
  if (!size) {
    return Count::failure(size.error());
  }
  long long keys = std::max(0LL, size->front().integer());
  long long bound = scan_call_bound(keys);
  std::string cursor = "0";
  std::size_t removed = 0;
  auto removed_so_far = [&] {
    return removed == 0 ? std::string("nothing was removed")
                        : fmt::format("{} mark{} were removed before that", removed,
                                      removed == 1 ? "" : "s");
  };
  long long calls = 0;
  // A signal ends the walk between two calls or inside one (the connection
  // throws then): either way the message says how much was removed.
  auto interrupted_now = [&] {
    return util::Error(static_cast<util::ExitCode>(util::interrupt_exit_code()),
                       fmt::format("{} ({})", util::interrupt_message(), removed_so_far()));
  };
  auto exchange = [&](std::vector<RedisCommand> commands) {
    try {
      return m_connection.pipeline(std::move(commands));
    } catch (const util::Error&) {
      if (!util::interrupted()) {
        throw;
      }
      throw interrupted_now();
    }
  };
  do {
    if (util::interrupted()) {
      throw interrupted_now();
    }
    if (++calls > bound) {
      return Count::failure(fmt::format("SCAN did not come back to cursor 0 after {} calls, more "
                                        "than {} keys (DBSIZE) can need; {}",
                                        bound, keys, removed_so_far()));
    }
    auto replies = exchange({{"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}});
    if (!replies) {
      return Count::failure(fmt::format("{}; {}", replies.error(), removed_so_far()));
    }
    const auto& reply = replies->front();
    if (reply.is_error() || reply.size() != 2) {
      return Count::failure(fmt::format("SCAN failed: {}; {}",
                                        reply.is_error() ? reply.text() : "unexpected answer",
                                        removed_so_far()));
    }
    cursor = RedisReply::text_of(reply.element(0));
    const redisReply* found = reply.element(1);
    RedisCommand unlink{"UNLINK"};
    std::size_t marks = 0;
    for (std::size_t i = 0; found != nullptr && i < found->elements; ++i) {
      std::string name = RedisReply::text_of(found->element[i]);
      marks += name.find("}:mark:") != std::string::npos ? 1 : 0;
      unlink.push_back(std::move(name));
    }
    if (unlink.size() > 1) {
      auto deleted = exchange({unlink});
      if (!deleted) {
        return Count::failure(fmt::format("{}; {}", deleted.error(), removed_so_far()));
      }
      removed += marks;
    }
  } while (cursor != "0");
  return removed;
}

long long scan_call_bound(long long keys) {
  // SCAN ... COUNT 1000 visits at least a thousand slots of the table per
  // call (up to ten times as many when they are empty), and Redis keeps its
  // table under ten slots per key: a full walk takes about keys / 1000
  // calls, and never more than keys / 100. The floor covers a database
  // that grows while it is walked.
  constexpr long long k_floor = 1000;
  constexpr long long k_ceiling = 10'000'000;
  return std::clamp(keys / 100, k_floor, k_ceiling);
}

} // namespace state
