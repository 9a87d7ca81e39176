#include "state/redis/redis_store.hpp"

#include "pool/limits_json.hpp"
#include "state/file/json_fields.hpp"
#include "state/redis/redis_marks.hpp"
#include "state/redis/redis_scripts.hpp"
#include "util/error.hpp"

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

} // namespace

RedisStore::RedisStore(RedisTarget target, std::vector<std::string> fingerprints,
                       util::Clock& clock)
    : m_connection(std::move(target)), m_fingerprints(std::move(fingerprints)), m_clock(clock) {}

std::string RedisStore::pool_root() const {
  return fmt::format("{}{}:", target().prefix, k_pool_tag);
}

std::string RedisStore::marks_key() const { return pool_root() + "marks"; }

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
    RedisCommand call{"EVALSHA", sha, "1", marks_key(), root};
    call.reserve(5 + (end - start));
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
  for (std::size_t batch = 0; batch < replies->size(); ++batch) {
    // { the server's TIME in ms, the value of each fingerprint of the
    // batch, records } (load.lua).
    const RedisReply& reply = (*replies)[batch];
    long long server_now = RedisReply::integer_of(reply.element(0));
    const redisReply* values = reply.element(1);
    std::size_t count =
        values != nullptr && values->type == REDIS_REPLY_ARRAY ? values->elements : 0;
    for (std::size_t i = 0; i < count && batch * k_batch + i < m_fingerprints.size(); ++i) {
      const redisReply* value = values->element[i];
      if (value->type == REDIS_REPLY_STRING && value->len > 0) {
        const std::string& fingerprint = m_fingerprints[batch * k_batch + i];
        read_marks_value(std::string_view(value->str, value->len), server_now, now,
                         marks[fingerprint]);
      }
    }
    read_records(reply.element(2), now, marks);
  }
  // A value whose lines have all ended leaves an entry with nothing in it.
  std::erase_if(marks, [](const auto& entry) { return entry.second.empty(); });
  return marks;
}

void RedisStore::read_records(const redisReply* records, util::TimePoint now,
                              pool::MarkMap& marks) {
  std::size_t count =
      records != nullptr && records->type == REDIS_REPLY_ARRAY ? records->elements : 0;
  auto field = [&](std::size_t i) { return records->element[i]; };
  for (std::size_t i = 0; i + 8 <= count; i += 8) {
    // Eight fields per record: fingerprint, scope, kind, status, reason,
    // since_ms, delay_ms, pttl_ms (load.lua).
    std::string fingerprint = RedisReply::text_of(field(i));
    std::string kind = RedisReply::text_of(field(i + 2));
    auto scope = scope_of_field(RedisReply::text_of(field(i + 1)));
    if (!scope || (kind == "limits" && scope->key_wide())) {
      continue; // a scope a newer version made: not ours to judge
    }
    if (kind == "limits") {
      auto json = nlohmann::json::parse(RedisReply::text_of(field(i + 4)), nullptr,
                                        /*allow_exceptions=*/false);
      auto limits = read_limits(json);
      if (limits && now - limits->seen <= k_limits_kept) {
        marks[fingerprint].limits[scope->model()] = std::move(*limits);
      }
      continue;
    }
    // A mark of the earlier layout, with its PTTL.
    auto mark =
        to_mark(kind, RedisReply::integer_of(field(i + 3)), RedisReply::text_of(field(i + 4)),
                RedisReply::integer_of(field(i + 5)), RedisReply::integer_of(field(i + 6)),
                RedisReply::integer_of(field(i + 7)), now);
    if (mark) {
      marks[fingerprint].merge(*scope, *mark);
    }
  }
}

util::Expected<bool> RedisStore::try_record(const keys::Key& key, const pool::Scope& scope,
                                            const pool::KeyMark& mark) {
  bool disabled = pool::is_disabled(mark);
  // A disabled mark is the key's, whatever model showed it (KeyMarks::merge).
  std::string name = disabled ? std::string(k_key_scope) : scope_name(scope);
  long long delay = disabled ? 0 : std::max<long long>((mark.until - mark.since).count(), 1);
  RedisCommand call{"EVALSHA",
                    k_record_sha,
                    "1",
                    marks_key(),
                    key.fingerprint,
                    pool::to_string(mark.kind),
                    std::to_string(delay),
                    std::to_string(mark.status),
                    escape_field(name),
                    escape_field(key.label),
                    escape_field(key.hint),
                    escape_field(mark.reason)};
  auto replies = run_script(k_record_script, {std::move(call)});
  if (!replies) {
    return util::Expected<bool>::failure(replies.error());
  }
  return true;
}

util::Expected<bool> RedisStore::try_record_limits(const keys::Key& key, const std::string& model,
                                                   const pool::ModelLimits& limits,
                                                   const pool::ClaimTicket& ticket) {
  // Replaces the model's limits and keeps the hash as long as the file keeps
  // them (k_limits_kept after the last write); one pipelined round trip.
  // The requests limit also teaches the model's bucket (claim.lua), in the
  // same round trip.
  std::string hash = limits_key(key.fingerprint);
  std::vector<RedisCommand> calls{{"HSET", hash, model, pool::limits_json(limits).dump()},
                                  {"PEXPIRE", hash, std::to_string(k_limits_kept.count())}};
  if (auto observe = observe_call(key, model, limits, ticket)) {
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

} // namespace state
