#include "pool/bucket.hpp"

#include "pool/mark.hpp"

#include <algorithm>
#include <cmath>

namespace pool {

namespace {

double millis_between(util::TimePoint from, util::TimePoint to) {
  return static_cast<double>((to - from).count());
}

// A bucket full for this long is forgotten: nothing about it is uncertain
// any more, and a key file of thousands of keys must not grow the ledger
// without end.
constexpr util::Millis k_forget_full_after{10 * 60 * 1000};

// How far short of an answer's level a raise stops (Bucket::observe): the
// rate is an upper bound and times are whole ms, so a unit due exactly when
// the upstream has it would now and then be claimed a hair early.
constexpr double k_raise_margin_ms = 10.0;

// The level an answer implies at `seen`. The answer's `remaining` is whole
// units (the true level is in [remaining, remaining + 1)); the line from
// the reset backwards at the known rate places it within that unit.
double implied_level(long long remaining, double limit, std::optional<util::TimePoint> reset,
                     util::TimePoint seen, double per_ms) {
  auto whole = static_cast<double>(remaining);
  double level = whole;
  if (reset && *reset > seen && per_ms > 0) {
    level = std::max(whole, limit - millis_between(seen, *reset) * per_ms);
  }
  return std::min({level, limit, whole + 0.999});
}

} // namespace

double Bucket::level_at(util::TimePoint now) const {
  if (now <= at) {
    return level;
  }
  return std::min(limit, level + millis_between(at, now) * per_ms);
}

std::optional<util::Millis> Bucket::until_one(util::TimePoint now) const {
  double current = level_at(now);
  if (current >= 1.0) {
    return util::Millis{0};
  }
  if (per_ms <= 0) {
    return std::nullopt;
  }
  // A level far below zero or a rate near zero (a ledger another program
  // wrote) gives a wait no integer holds: converting it is undefined, and
  // gave a negative wait, so a key empty for ever was used at once.
  double wait = std::ceil((1.0 - current) / per_ms);
  constexpr auto k_longest = static_cast<double>(k_max_cooldown.count());
  return util::Millis{
      static_cast<long long>(std::isfinite(wait) && wait < k_longest ? wait : k_longest)};
}

std::optional<util::Millis> Bucket::refill_interval() const {
  if (per_ms <= 0) {
    return std::nullopt;
  }
  double interval = std::ceil(1.0 / per_ms);
  constexpr auto k_longest = static_cast<double>(k_max_cooldown.count());
  return util::Millis{static_cast<long long>(interval < k_longest ? interval : k_longest)};
}

ClaimTicket Bucket::take(util::TimePoint now) {
  if (now - at >= k_probe_timeout) {
    out = 0;
    out_from = taken;
  }
  ClaimTicket ticket{taken, out};
  util::TimePoint when = std::max(now, at);
  level = level_at(when) - 1.0;
  at = when;
  taken += 1.0;
  out += 1.0;
  return ticket;
}

void Bucket::end_claim(const ClaimTicket& ticket) {
  if (ticket.valid() && (ticket.number < out_from || ticket.number >= taken)) {
    return;
  }
  out = std::max(0.0, out - 1.0);
}

void Bucket::observe(long long remaining, long long limit_seen,
                     std::optional<util::TimePoint> reset, util::TimePoint seen,
                     const ClaimTicket& ticket) {
  if (remaining < 0 || limit_seen <= 0) {
    return;
  }
  auto new_limit = static_cast<double>(limit_seen);
  if (new_limit != limit) {
    // Another limit (a new tier): what was learned of the rate is void.
    limit = new_limit;
    per_ms = 0;
  }
  if (reset && *reset > seen && remaining < limit_seen) {
    double bound = (new_limit - static_cast<double>(remaining)) / millis_between(seen, *reset);
    per_ms = per_ms > 0 ? std::min(per_ms, bound) : bound;
  }
  if (per_ms <= 0) {
    per_ms = new_limit / k_default_window_ms;
  }
  double implied = implied_level(remaining, new_limit, reset, seen, per_ms);
  // Compare both at the later of the two moments, so that no refill is
  // counted twice when a claim moved `at` past `seen`.
  util::TimePoint when = std::max(at, seen);
  double implied_then = std::min(new_limit, implied + millis_between(seen, when) * per_ms);
  double estimate = level_at(when);
  if (ticket.valid() && ticket.number < taken) {
    // What the upstream may not have counted when it answered: the claims
    // out when this one was taken (sent before it, maybe arriving after),
    // and every claim taken after it, settled or not (an answer to a later
    // request can be read before this one).
    double uncounted = ticket.out + (taken - ticket.number - 1.0);
    estimate = std::max(estimate, implied_then - uncounted - k_raise_margin_ms * per_ms);
  }
  level = std::min(estimate, implied_then);
  at = when;
}

void Bucket::refused(util::TimePoint now) {
  util::TimePoint when = std::max(now, at);
  level = std::min(level_at(when), 0.0);
  at = when;
}

Bucket first_bucket(long long remaining, long long limit, std::optional<util::TimePoint> reset,
                    util::TimePoint seen) {
  Bucket bucket;
  bucket.limit = static_cast<double>(limit);
  bucket.level = bucket.limit; // lowered by observe()
  bucket.at = seen;
  bucket.observe(remaining, limit, reset, seen);
  return bucket;
}

std::string bucket_id(const std::string& fingerprint, const std::string& model) {
  return fingerprint + " " + model;
}

void observe_requests(BucketMap& buckets, const std::string& fingerprint, const std::string& model,
                      const ModelLimits& limits, const ClaimTicket& ticket) {
  auto id = bucket_id(fingerprint, model);
  for (const auto& reading : limits.readings) {
    if (reading.kind != "requests" || reading.remaining < 0 || reading.limit <= 0) {
      continue;
    }
    auto it = buckets.find(id);
    if (it == buckets.end()) {
      buckets.emplace(id,
                      first_bucket(reading.remaining, reading.limit, reading.reset, limits.seen));
    } else if (it->second.probing()) {
      // The first answer of a probe: the other requests of the probe are
      // still on their way, and not in this answer's `remaining`. Each of
      // them, this one too, settles once: they are the claims out.
      double others = std::max(0.0, -it->second.level - 1.0);
      it->second = first_bucket(reading.remaining, reading.limit, reading.reset, limits.seen);
      it->second.level -= others;
      it->second.taken = others + 1.0; // their claims, numbered without tickets
      it->second.out = others + 1.0;
    } else {
      it->second.observe(reading.remaining, reading.limit, reading.reset, limits.seen, ticket);
    }
  }
  if (ticket.valid()) {
    if (auto it = buckets.find(id); it != buckets.end() && !it->second.probing()) {
      it->second.end_claim(ticket);
    }
  }
}

void refuse_bucket(BucketMap& buckets, const std::string& fingerprint, const std::string& model,
                   util::TimePoint now, const ClaimTicket& ticket) {
  auto it = buckets.find(bucket_id(fingerprint, model));
  if (it != buckets.end() && !it->second.probing()) {
    it->second.refused(now);
    if (ticket.valid()) {
      it->second.end_claim(ticket);
    }
  }
}

void settle_claim(BucketMap& buckets, const std::string& fingerprint, const std::string& model,
                  const ClaimTicket& ticket) {
  auto it = buckets.find(bucket_id(fingerprint, model));
  if (it == buckets.end()) {
    return;
  }
  if (!it->second.probing()) {
    it->second.end_claim(ticket); // without a ticket: a probe's, answered after its bucket was made
    return;
  }
  if (ticket.valid()) {
    return; // a claim on a bucket since forgotten and probed again: not one of the probe's
  }
  it->second.level += 1.0;
  if (it->second.level > -0.5) {
    buckets.erase(it);
  }
}

void prune_buckets(BucketMap& buckets, util::TimePoint now) {
  std::erase_if(buckets, [&](const auto& entry) {
    const Bucket& bucket = entry.second;
    if (bucket.probing()) {
      return now - bucket.at >= k_probe_timeout || bucket.at - now > k_probe_timeout;
    }
    // Full since long ago, or a date far in the future (a clock set wrong
    // once): either way nothing worth keeping.
    bool full_long = bucket.level_at(now) >= bucket.limit && now - bucket.at > k_forget_full_after;
    bool from_future = bucket.at - now > k_forget_full_after;
    return full_long || from_future;
  });
}

} // namespace pool
