// The parts of RedisStore that concern the request buckets and the claims a
// walk makes on them (docs/marks.md, "Claims"; claim.lua holds the rule).
// Apart from redis_store.cpp so that each file keeps to one concern.
#include "state/redis/redis_store.hpp"

#include "pool/mark.hpp"
#include "state/redis/redis_scripts.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>

namespace state {

namespace {

// How long ago an answer can have been seen when its limits are recorded:
// at once, in practice. More is a clock that jumped meanwhile.
constexpr util::Millis k_longest_age{60'000};

util::Millis clamped_wait(long long ms) {
  return std::clamp(util::Millis{ms}, util::Millis{0}, pool::k_max_cooldown);
}

// A claim's ticket as claim.lua takes it ("NUMBER:OUT"), "" for none.
std::string ticket_text(const pool::ClaimTicket& ticket) {
  if (!ticket.valid()) {
    return {};
  }
  return fmt::format("{}:{}", static_cast<long long>(ticket.number),
                     static_cast<long long>(ticket.out));
}

// The ticket in claim.lua's "estimated NUMBER OUT"; none when it is not
// there or not two whole numbers.
pool::ClaimTicket ticket_of(std::string_view how) {
  constexpr std::string_view k_word = "estimated ";
  if (!how.starts_with(k_word)) {
    return {};
  }
  how.remove_prefix(k_word.size());
  long long number = -1;
  long long out = -1;
  const char* end = how.data() + how.size();
  auto first = std::from_chars(how.data(), end, number);
  if (first.ec != std::errc{} || first.ptr == end || *first.ptr != ' ') {
    return {};
  }
  auto second = std::from_chars(first.ptr + 1, end, out);
  if (second.ec != std::errc{} || second.ptr != end || number < 0 || out < 0) {
    return {};
  }
  return pool::ClaimTicket{static_cast<double>(number), static_cast<double>(out)};
}

} // namespace

std::optional<RedisCommand> RedisStore::observe_call(const keys::Key& key, const std::string& model,
                                                     const pool::ModelLimits& limits,
                                                     const pool::ClaimTicket& ticket) const {
  for (const auto& reading : limits.readings) {
    if (reading.kind != "requests" || reading.remaining < 0 || reading.limit <= 0) {
      continue;
    }
    // Only spans reach the server: how long ago the answer was seen (by
    // this machine's clock), and from then until its reset (the upstream's
    // span, measured against its Date: upstream::response_origin). The
    // server places both on its own clock.
    auto age = std::clamp(m_clock.now() - limits.seen, util::Millis{0}, k_longest_age);
    std::string span;
    if (reading.reset && *reading.reset > limits.seen) {
      span = std::to_string(std::min<long long>((*reading.reset - limits.seen).count(),
                                                pool::k_max_cooldown.count()));
    }
    return RedisCommand{"EVALSHA",
                        k_claim_sha,
                        "1",
                        bucket_key(key.fingerprint, model),
                        "observe",
                        std::to_string(reading.remaining),
                        std::to_string(reading.limit),
                        std::to_string(age.count()),
                        span,
                        ticket_text(ticket)};
  }
  if (ticket.valid()) {
    return RedisCommand{"EVALSHA", k_claim_sha,        "1", bucket_key(key.fingerprint, model),
                        "settle",  ticket_text(ticket)};
  }
  return std::nullopt;
}

util::Expected<pool::Claim>
RedisStore::try_claim(const std::vector<pool::ClaimCandidate>& candidates, const std::string& model,
                      util::TimePoint now, util::Millis may_wait, pool::ClaimOrder order) {
  if (candidates.size() <= k_claim_slice) {
    return claim_among(candidates, 0, candidates.size(), model, now, may_wait, order);
  }
  // A slice at a time, without waiting ahead, until one has a unit (by units
  // left: the one with the most in the first slice that has any).
  pool::Claim claim;
  for (std::size_t begin = 0; begin < candidates.size(); begin += k_claim_slice) {
    std::size_t end = std::min(candidates.size(), begin + k_claim_slice);
    auto part = claim_among(candidates, begin, end, model, now, util::Millis{0}, order);
    if (!part) {
      return part;
    }
    claim.empty.insert(claim.empty.end(), part->empty.begin(), part->empty.end());
    if (part->kind == pool::Claim::Kind::go) {
      part->empty = std::move(claim.empty);
      return part;
    }
  }
  if (may_wait.count() > 0) {
    // Every bucket is empty: the soonest unit of them all, taken ahead in one
    // call over every candidate (rare: a whole pool without a request left).
    return claim_among(candidates, 0, candidates.size(), model, now, may_wait, order);
  }
  return claim;
}

util::Expected<pool::Claim>
RedisStore::claim_among(const std::vector<pool::ClaimCandidate>& candidates, std::size_t begin,
                        std::size_t end, const std::string& model, util::TimePoint now,
                        util::Millis may_wait, pool::ClaimOrder order) {
  // `now` serves only the plain walk below: claims are on the server's clock.
  using Result = util::Expected<pool::Claim>;
  pool::Claim claim;
  if (begin >= end) {
    return claim;
  }
  std::size_t count = end - begin;
  RedisCommand call{"EVALSHA", k_claim_sha, std::to_string(count)};
  call.reserve(3 + 2 * count + 3);
  for (std::size_t i = begin; i < end; ++i) {
    call.push_back(bucket_key(candidates[i].key->fingerprint, model));
  }
  call.emplace_back("claim");
  call.push_back(std::to_string(std::max<long long>(may_wait.count(), 0)));
  call.emplace_back(order == pool::ClaimOrder::most_left ? "most" : "first");
  for (std::size_t i = begin; i < end; ++i) {
    std::string flags = candidates[i].soft ? "1" : "0";
    if (candidates[i].patience.count() > 0) {
      // Appended piece by piece: ":" + std::to_string(...) trips GCC 12's
      // false -Wrestrict at -O3.
      flags += ':';
      flags += std::to_string(candidates[i].patience.count());
    }
    call.push_back(std::move(flags));
  }
  auto replies = run_script(k_claim_script, {std::move(call)});
  if (!replies) {
    return Result::failure(replies.error());
  }
  // { chosen (1-based, 0: none), wait_ms, how, then (index, ms) per empty
  // bucket } (claim.lua).
  const RedisReply& reply = replies->front();
  auto bad = [] {
    return Result::failure("the claim script answered something else than a claim");
  };
  if (reply.size() == 0) {
    // Nothing at all (a server that runs no scripts of ours, such as the
    // test's hostile server answering every call with an empty array): it
    // knows no buckets, so the plain walk, as a store without claims.
    pool::BucketMap none;
    std::vector<pool::ClaimCandidate> slice(candidates.begin() + static_cast<long>(begin),
                                            candidates.begin() + static_cast<long>(end));
    claim = pool::claim_in(none, slice, model, now, may_wait, order);
    claim.index += begin;
    return claim;
  }
  if (reply.size() < 3 || reply.size() % 2 == 0) {
    return bad();
  }
  long long chosen = RedisReply::integer_of(reply.element(0));
  if (chosen < 0 || chosen > static_cast<long long>(count)) {
    return bad();
  }
  for (std::size_t i = 3; i + 1 < reply.size(); i += 2) {
    long long index = RedisReply::integer_of(reply.element(i));
    if (index < 1 || index > static_cast<long long>(count)) {
      return bad();
    }
    claim.empty.emplace_back(begin + static_cast<std::size_t>(index - 1),
                             clamped_wait(RedisReply::integer_of(reply.element(i + 1))));
  }
  if (chosen > 0) {
    std::string how = RedisReply::text_of(reply.element(2));
    claim.kind = pool::Claim::Kind::go;
    claim.index = begin + static_cast<std::size_t>(chosen - 1);
    claim.wait = clamped_wait(RedisReply::integer_of(reply.element(1)));
    claim.estimated = how.starts_with("estimated");
    claim.probe = how == "probe";
    if (claim.estimated) {
      claim.ticket = ticket_of(how);
    }
  }
  return claim;
}

util::Expected<bool> RedisStore::run_bucket(const keys::Key& key, const std::string& model,
                                            const char* operation,
                                            const pool::ClaimTicket& ticket) {
  auto replies =
      run_script(k_claim_script, {{"EVALSHA", k_claim_sha, "1", bucket_key(key.fingerprint, model),
                                   operation, ticket_text(ticket)}});
  if (!replies) {
    return util::Expected<bool>::failure(replies.error());
  }
  return true;
}

util::Expected<bool> RedisStore::try_refused(const keys::Key& key, const std::string& model,
                                             util::TimePoint /*now: the server's is used*/,
                                             const pool::ClaimTicket& ticket) {
  return run_bucket(key, model, "refused", ticket);
}

util::Expected<bool> RedisStore::try_settle(const keys::Key& key, const std::string& model,
                                            const pool::ClaimTicket& ticket) {
  return run_bucket(key, model, "settle", ticket);
}

} // namespace state
