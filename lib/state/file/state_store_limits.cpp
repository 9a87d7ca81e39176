// The parts of StateStore that concern rate-limit readings and the claims
// ledger (docs/marks.md, "Limits" and "Claims"): the answers' limits, and the
// claims a walk makes on the request buckets. Apart from state_store.cpp so
// that each file keeps to one concern.
#include "state/file/state_store.hpp"

#include "state/file/atomic_file.hpp"
#include "state/file/state_document.hpp"

#include <fmt/format.h>

namespace state {

namespace {
// How old the state file's copy of a model's limits may get before an
// answer with the same limits rewrites it.
constexpr util::Millis k_limits_refresh{60'000};
} // namespace

void StateStore::record_limits(const keys::Key& key, const std::string& model,
                               const pool::ModelLimits& limits, const pool::ClaimTicket& ticket) {
  std::string problem;
  // The first answer with limits creates the ledger, maybe before any mark
  // has created the state directory.
  if (auto made = make_parent_directories(m_path);
      made && !m_ledger.update(
                  m_clock.now(),
                  [&](pool::BucketMap& buckets) {
                    pool::observe_requests(buckets, key.fingerprint, model, limits, ticket);
                  },
                  problem)) {
    warn_once(fmt::format("request estimates not saved: {}", problem));
  }
  // The state file's copy is for people (keys status): rewriting it under
  // the lock after every answer would cost a fold and an fsync per request.
  if (auto fp = m_file_limits.find(key.fingerprint); fp != m_file_limits.end()) {
    if (auto old = fp->second.find(model); old != fp->second.end()) {
      bool same_limits = old->second.readings.size() == limits.readings.size();
      for (std::size_t i = 0; same_limits && i < limits.readings.size(); ++i) {
        same_limits = old->second.readings[i].kind == limits.readings[i].kind &&
                      old->second.readings[i].limit == limits.readings[i].limit;
      }
      if (same_limits && limits.seen - old->second.seen < k_limits_refresh) {
        return;
      }
    }
  }
  m_file_limits[key.fingerprint][model] = limits;
  // Straight through update(): limits are not journaled (a lost reading is
  // only a missed proactive cooldown).
  if (update([&](StateDocument& doc) { doc.set_limits(key, model, limits); }, problem) !=
      Saved::yes) {
    warn_once(fmt::format("state not saved: {}", problem));
  }
}

namespace {
// The plain walk, when the ledger is not used: nothing was claimed there, so
// the attempt has nothing to settle (were it settled, a bucket that another
// process's answer made meanwhile would count one claim fewer out).
pool::Claim unclaimed(pool::Claim claim) {
  claim.probe = false;
  return claim;
}
} // namespace

pool::Claim StateStore::claim(const std::vector<pool::ClaimCandidate>& candidates,
                              const std::string& model, util::TimePoint now, util::Millis may_wait,
                              pool::ClaimOrder order) {
  pool::Claim claim;
  std::string problem;
  if (order == pool::ClaimOrder::key_file && !m_ledger.exists()) {
    // No answer has taught a bucket yet (or the upstream sends no limits):
    // the plain walk, without the ledger's lock.
    return unclaimed(pool::ClaimStore::claim(candidates, model, now, may_wait, order));
  }
  if (auto made = make_parent_directories(m_path); !made) {
    // record() warns
    return unclaimed(pool::ClaimStore::claim(candidates, model, now, may_wait, order));
  }
  if (m_ledger.update(
          now,
          [&](pool::BucketMap& buckets) {
            claim = pool::claim_in(buckets, candidates, model, now, may_wait, order);
          },
          problem)) {
    return claim;
  }
  warn_once(fmt::format("request estimates not used: {}", problem));
  return unclaimed(pool::ClaimStore::claim(candidates, model, now, may_wait, order));
}

void StateStore::refused(const keys::Key& key, const std::string& model, util::TimePoint now,
                         const pool::ClaimTicket& ticket) {
  if (!m_ledger.exists()) {
    return; // no bucket is known, so none to empty
  }
  std::string problem;
  if (!m_ledger.update(
          now,
          [&](pool::BucketMap& buckets) {
            pool::refuse_bucket(buckets, key.fingerprint, model, now, ticket);
          },
          problem)) {
    warn_once(fmt::format("request estimates not saved: {}", problem));
  }
}

void StateStore::settle(const keys::Key& key, const std::string& model,
                        const pool::ClaimTicket& ticket) {
  if (!m_ledger.exists()) {
    return; // removed meanwhile: nothing left to settle
  }
  std::string problem;
  if (!m_ledger.update(
          m_clock.now(),
          [&](pool::BucketMap& buckets) {
            pool::settle_claim(buckets, key.fingerprint, model, ticket);
          },
          problem)) {
    warn_once(fmt::format("request estimates not saved: {}", problem));
  }
}

} // namespace state
