#pragma once

#include "pool/affinity.hpp"
#include "state/redis/redis_router.hpp"
#include "state/shared_store.hpp"
#include "util/clock.hpp"

#include <optional>
#include <string>
#include <vector>

namespace state {

// The marks of a key pool kept on a Redis server (docs/redis.md), so
// that every machine of a fleet sees what any of them learned.
//
// Layout (docs/redis.md): one hash for the marks of the whole pool,
//   <prefix>{pool}:marks
// whose field is a key fingerprint and whose value holds that key's marks,
// one line per scope ("key": the whole key, as a disabled, spend-limit or
// billing mark; "model:<name>": a cooldown of that model only) with kind,
// status, since_ms, delay_ms, label, hint and reason (redis_marks.hpp; never
// a key); the hash lives as long as its longest mark, for ever once one is
// disabled.
// One hash per fingerprint with the rate limits last seen, per model,
//   <prefix>{pool}:limits:<fingerprint>   field <model>: the JSON object the
// state file keeps under models.<model>.limits (kept a day after the last).
// Marks of the earlier layout (one hash per mark, <prefix>{pool}:mark:<fp>:
// <scope>, and a set of scopes, <prefix>{pool}:scopes:<fp>) are still read,
// reset and cleared, never written.
// The request buckets of claims (docs/marks.md, "Claims") are one hash per
// fingerprint and model,
//   <prefix>{pool}:bucket:<fingerprint>:<model>   level, at, limit, per_ms
// kept and claimed by claim.lua on the server's clock, expiring by themselves.
// The "{pool}" hash tag keeps a pool in one Cluster slot. A cooling mark
// ends at since_ms + delay_ms of the server's TIME, which load.lua sends
// with the marks, so the server's clock is the only one that counts. Every decision (never shorten,
// disabled beats cooling) is made by a script on the server (state/redis/*.lua), run with EVALSHA
// and sent again with EVAL when the server answers NOSCRIPT.
//
// Costs: try_load() is one round trip for up to k_batch fingerprints (every
// scope and the limits included; a few server calls per batch, none per
// fingerprint), and pipelines the batches of a larger pool; try_record(), try_record_limits() (the
// limits and the bucket's observation pipelined), try_claim(), try_refused() and try_settle() are
// one round trip each.
//
// Every function reports trouble as a failure message (the server without
// its password, and what went wrong), as SharedStore promises; FallbackStore
// decides what it means.
class RedisStore final : public SharedStore, public SharedAffinityStore {
public:
  static constexpr std::size_t k_batch = 1000;
  // Candidates per claim call: a walk claims among the keys it has not
  // tried yet, and the first usable one is nearly always among the first
  // few, so a pool of thousands is asked about in slices rather than sent
  // whole at every claim (which made a walk over n keys send n^2 names).
  static constexpr std::size_t k_claim_slice = 32;

  // `fingerprints`: the pool whose marks load() reads.
  RedisStore(RedisTarget target, std::vector<std::string> fingerprints, util::Clock& clock);

  std::string display() const override { return target().display(); }
  bool failure_is_configuration() const override { return m_connection.failure_is_configuration(); }
  util::Expected<pool::MarkMap> try_load() override;
  util::Expected<bool> try_record(const keys::Key& key, const pool::Scope& scope,
                                  const pool::KeyMark& mark) override;
  util::Expected<bool> try_record_limits(const keys::Key& key, const std::string& model,
                                         const pool::ModelLimits& limits,
                                         const pool::ClaimTicket& ticket) override;
  // Deletes every mark (every scope) and the limits of the given
  // fingerprints; returns how many marks.
  util::Expected<std::size_t> try_reset(const std::vector<std::string>& fingerprints) override;
  // Clears the disabled marks of the given fingerprints, leaving cooldowns
  // alone (keys check); returns how many.
  util::Expected<std::size_t>
  try_clear_disabled(const std::vector<std::string>& fingerprints) override;
  // Deletes every key under the prefix, found by SCAN (never KEYS); returns
  // how many marks were among them. The walk is bounded by the size of the
  // database (scan_call_bound of DBSIZE), so that a server whose cursor
  // never comes back to 0 cannot hold bridge for ever; a failure says how
  // many marks were removed before it. SIGINT and SIGTERM end it between
  // two calls (util::Error with the interrupt's exit code).
  util::Expected<std::size_t> try_reset_all() override;
  // Claims on the server's clock (claim.lua): `now` is not used, so that
  // machines whose clocks differ still share one estimate (redis_claims.cpp).
  util::Expected<pool::Claim> try_claim(const std::vector<pool::ClaimCandidate>& candidates,
                                        const std::string& model, util::TimePoint now,
                                        util::Millis may_wait, pool::ClaimOrder order) override;
  util::Expected<bool> try_refused(const keys::Key& key, const std::string& model,
                                   util::TimePoint now, const pool::ClaimTicket& ticket) override;
  util::Expected<bool> try_settle(const keys::Key& key, const std::string& model,
                                  const pool::ClaimTicket& ticket) override;

  // The hash tag every key of the pool carries, after the prefix: on a
  // Redis Cluster the pool lives in the one slot it hashes to, so that every
  // script may touch all of it. "{pool}" since the first release, so that
  // marks written by any release are read by any other.
  static constexpr const char* k_pool_tag = "{pool}";

  const RedisTarget& target() const { return m_connection.target(); }
  // The start of every key name of the pool: <prefix>{pool}: (the one place
  // key names begin; each script is given it or names built from it).
  std::string pool_root() const;
  // The hash of the pool's marks.
  std::string marks_key() const;
  std::string limits_key(const std::string& fingerprint) const;
  std::string bucket_key(const std::string& fingerprint, const std::string& model) const;
  // The name of a scope in the layout: "key", or "model:<name>".
  static std::string scope_name(const pool::Scope& scope);

  // Prompt-cache affinity (redis_affinity.cpp, docs/redis.md): the key
  // <root>affinity:<hash> holds the fingerprint that last served it, set
  // with an expiry of pool::k_affinity_lifetime, so that the server's clock
  // ends it. Lookup gives the fingerprint and, from the time left, when it
  // was remembered (on `now`'s clock); nullopt when none.
  std::string affinity_key(const std::string& id) const;
  util::Expected<std::optional<pool::AffinityEntry>> try_affinity(const std::string& id,
                                                                  util::TimePoint now) override;
  util::Expected<bool> try_remember_affinity(const std::string& id,
                                             const std::string& fingerprint) override;

private:
  // Runs one script per argument list, pipelined (plain commands may ride
  // along: only the script's calls can answer NOSCRIPT); NOSCRIPT answers
  // are sent again with the script's text.
  util::Expected<std::vector<RedisReply>> run_script(const char* script,
                                                     std::vector<RedisCommand> calls);
  // The observation of an answer's requests limit by the model's bucket
  // (claim.lua "observe"); when the answer reported none, the end of the
  // ticket's claim ("settle"), or nothing without a ticket.
  std::optional<RedisCommand> observe_call(const keys::Key& key, const std::string& model,
                                           const pool::ModelLimits& limits,
                                           const pool::ClaimTicket& ticket) const;
  // claim.lua's claim over candidates[begin, end); the indices of the answer
  // are those of `candidates`.
  util::Expected<pool::Claim> claim_among(const std::vector<pool::ClaimCandidate>& candidates,
                                          std::size_t begin, std::size_t end,
                                          const std::string& model, util::TimePoint now,
                                          util::Millis may_wait, pool::ClaimOrder order);
  util::Expected<bool> run_bucket(const keys::Key& key, const std::string& model,
                                  const char* operation, const pool::ClaimTicket& ticket);
  // The records of load.lua's answer (marks of the earlier layout, limits).
  static void read_records(const redisReply* records, util::TimePoint now, pool::MarkMap& marks);
  std::vector<RedisCommand> batched_calls(const char* sha,
                                          const std::vector<std::string>& fingerprints) const;

  RedisRouter m_connection; // the URL's server, or the node that owns the pool's slot
  std::vector<std::string> m_fingerprints;
  util::Clock& m_clock;
};

// How many SCAN calls a walk of a database of `keys` keys may take.
long long scan_call_bound(long long keys);

} // namespace state
