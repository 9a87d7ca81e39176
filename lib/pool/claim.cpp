// The claim rule (pool/bucket.hpp, claim_in; docs/marks.md, "Claims"): which
// candidate a walk uses, and the unit it takes from that key's estimate.
#include "pool/bucket.hpp"

#include <algorithm>
#include <optional>

namespace pool {

namespace {

// What a key never seen counts as: full, as the largest limit known among
// the candidates (0 when none is known).
double full_units(const BucketMap& buckets, const std::vector<ClaimCandidate>& candidates,
                  const std::string& model) {
  double full = 0;
  for (const auto& candidate : candidates) {
    auto it = buckets.find(bucket_id(candidate.key->fingerprint, model));
    if (it != buckets.end() && !it->second.probing()) {
      full = std::max(full, it->second.limit);
    }
  }
  return full;
}

// Claims candidates[index], whose bucket is not known: its probe counts one
// more request on its way, for the first answer that teaches the bucket.
Claim probe_claim(BucketMap& buckets, const std::vector<ClaimCandidate>& candidates,
                  const std::string& model, util::TimePoint now, std::size_t index, Claim claim) {
  auto id = bucket_id(candidates[index].key->fingerprint, model);
  auto it = buckets.find(id);
  if (it == buckets.end()) {
    Bucket probe;
    probe.at = now;
    it = buckets.emplace(id, probe).first;
  }
  it->second.level -= 1.0;
  claim.kind = Claim::Kind::go;
  claim.index = index;
  claim.probe = true;
  return claim;
}

} // namespace

Claim claim_in(BucketMap& buckets, const std::vector<ClaimCandidate>& candidates,
               const std::string& model, util::TimePoint now, util::Millis may_wait,
               ClaimOrder order) {
  Claim claim;
  std::optional<std::size_t> soonest;
  util::Millis soonest_wait{0};
  // The candidate chosen so far, with the units it has left.
  std::optional<std::size_t> best;
  double best_left = 0;
  // The first key whose probe has as many requests on their way as the
  // largest bucket known holds: used only when no other key can serve.
  std::optional<std::size_t> crowded;
  // Below zero until needed (key-file order needs it only at a probe).
  double full = order == ClaimOrder::most_left ? full_units(buckets, candidates, model) : -1;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    auto id = bucket_id(candidates[i].key->fingerprint, model);
    auto it = buckets.find(id);
    if (it != buckets.end() && it->second.probing() && now - it->second.at >= k_probe_timeout) {
      buckets.erase(it); // a probe that never settled
      it = buckets.end();
    }
    if (candidates[i].soft && (it == buckets.end() || it->second.probing())) {
      continue; // its proactive mark stands, as without claims
    }
    double left = 0;
    if (it == buckets.end() || it->second.probing()) {
      // Never seen: usable, as in the plain walk; full but for the requests
      // of its probe on their way (a probe's level is minus their number).
      double on_their_way = it == buckets.end() ? 0.0 : -it->second.level;
      if (full < 0 && on_their_way > 0) {
        full = full_units(buckets, candidates, model);
      }
      left = std::max(full, 0.0) - on_their_way;
      if (full > 0 && left < 1.0) {
        // As many requests on their way as any known bucket of the pool
        // holds: more would likely be refused (a burst of walks, all to the
        // first key not known yet). Another key first, or a wait.
        crowded = crowded ? crowded : i;
        continue;
      }
    } else {
      Bucket& bucket = it->second;
      auto wait = bucket.until_one(now);
      if (auto interval = bucket.refill_interval(); wait && wait->count() > 0 && interval &&
                                                    *wait <= candidates[i].patience &&
                                                    *wait <= *interval) {
        // Worth a short wait (the affinity's key): its next unit, taken ahead.
        claim.ticket = bucket.take(now);
        claim.kind = Claim::Kind::go;
        claim.index = i;
        claim.wait = *wait;
        claim.estimated = true;
        return claim;
      }
      if (!wait || wait->count() > 0) {
        util::Millis shown = wait ? *wait : util::Millis{60'000};
        claim.empty.emplace_back(i, shown);
        if (wait && (!soonest || *wait < soonest_wait)) {
          soonest = i;
          soonest_wait = *wait;
        }
        continue;
      }
      left = bucket.level_at(now);
    }
    if (!best || left > best_left) {
      best = i;
      best_left = left;
    }
    if (order == ClaimOrder::key_file) {
      break;
    }
  }
  if (best) {
    auto it = buckets.find(bucket_id(candidates[*best].key->fingerprint, model));
    if (it != buckets.end() && !it->second.probing()) {
      claim.kind = Claim::Kind::go;
      claim.index = *best;
      claim.ticket = it->second.take(now);
      claim.estimated = true;
      return claim;
    }
    return probe_claim(buckets, candidates, model, now, *best, claim);
  }
  if (soonest && soonest_wait <= may_wait) {
    claim.ticket = buckets[bucket_id(candidates[*soonest].key->fingerprint, model)].take(now);
    claim.kind = Claim::Kind::go;
    claim.index = *soonest;
    claim.wait = soonest_wait;
    claim.estimated = true;
    return claim;
  }
  if (crowded) {
    return probe_claim(buckets, candidates, model, now, *crowded, claim);
  }
  return claim;
}

} // namespace pool
