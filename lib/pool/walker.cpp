#include "pool/walker.hpp"

#include <algorithm>
#include <random>

namespace pool {

namespace {
WalkObserver g_silent_observer;
} // namespace

Walker::Walker(const std::vector<keys::Key>& keys, MarkStore& marks, ClaimStore& claims,
               util::Clock& clock, WalkOptions options)
    : m_keys(keys), m_store(marks), m_claims(claims), m_clock(clock),
      m_options(std::move(options)) {}

double Walker::next_jitter() {
  if (m_options.jitter) {
    return m_options.jitter();
  }
  static thread_local std::mt19937 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

namespace {
// A proactive mark that only says the requests of the model ran out: where
// the store keeps the model's bucket, the bucket's estimate decides instead
// (docs/marks.md, "Claims").
bool soft_block(const Block& block) {
  return !block.scope.key_wide() && !is_disabled(*block.mark) && block.mark->status >= 200 &&
         block.mark->status < 300 && block.mark->reason == "requests_remaining_0";
}
} // namespace

std::optional<std::size_t> Walker::preferred_key() const {
  if (m_options.affinity.empty() || !m_options.affinity_store) {
    return std::nullopt;
  }
  auto entry = m_options.affinity_store->lookup(m_options.affinity);
  if (!entry || !affinity_alive(*entry, m_clock.now())) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < m_keys.size(); ++i) {
    if (m_keys[i].fingerprint == entry->fingerprint) {
      return i;
    }
  }
  return std::nullopt;
}

WalkResult Walker::walk(const AttemptFn& attempt, WalkObserver* observer) {
  WalkObserver& tell = observer ? *observer : g_silent_observer;
  WalkResult result;
  util::Millis waited{0};
  const bool claims = !m_options.model.empty();
  const std::optional<std::size_t> preferred = preferred_key();
  // A conversation that no key serves yet (none remembered, or the one
  // remembered has expired or left the key file) starts on the key with the
  // most units left rather than the first with one, so that new
  // conversations spread over the pool (docs/marks.md, "Affinity"). The
  // plain walk, and a conversation that moves off its key, keep key-file
  // order.
  const ClaimOrder order = !m_options.affinity.empty() && m_options.affinity_store && !preferred
                               ? ClaimOrder::most_left
                               : ClaimOrder::key_file;
  while (true) {
    m_marks = m_store.load();
    m_short.clear();
    std::vector<bool> passed(m_keys.size(), false);
    while (true) {
      // The keys still to try in this pass, in key-file order.
      auto now = m_clock.now();
      std::vector<ClaimCandidate> candidates;
      std::vector<std::size_t> index_of;
      // Keys whose mark stands: told as skipped once the walk has reached
      // them (in key order, before the key that is tried next), never
      // when a key before them ends the walk.
      std::vector<std::pair<std::size_t, Block>> blocked;
      for (std::size_t i = 0; i < m_keys.size(); ++i) {
        if (passed[i]) {
          continue;
        }
        std::optional<Block> block;
        if (auto it = m_marks.find(m_keys[i].fingerprint); it != m_marks.end()) {
          block = it->second.blocking(m_options.model, now);
        }
        if (block && !(claims && soft_block(*block))) {
          blocked.emplace_back(i, *block);
          continue;
        }
        candidates.push_back({&m_keys[i], block.has_value()});
        index_of.push_back(i);
      }
      util::Millis may_wait{0};
      if (m_options.wait_max && *m_options.wait_max > waited) {
        may_wait = *m_options.wait_max - waited;
      }
      // The key of the affinity, when it may be used, is offered first: the
      // claim still decides (an empty bucket passes it over, unless its next
      // unit is near enough to wait for within --wait), and a mark has
      // already kept it out of the candidates.
      bool preferred_first = false;
      if (preferred) {
        auto at = std::find(index_of.begin(), index_of.end(), *preferred);
        if (at != index_of.end()) {
          auto c = at - index_of.begin();
          std::rotate(index_of.begin(), at, at + 1);
          std::rotate(candidates.begin(), candidates.begin() + c, candidates.begin() + c + 1);
          candidates.front().patience = may_wait;
          preferred_first = true;
        }
      }
      auto skip_blocked_before = [&](std::size_t end) {
        for (const auto& [i, block] : blocked) {
          if (i < end && !passed[i]) {
            tell.skipped(m_keys[i], block, now);
            passed[i] = true;
          }
        }
      };
      if (candidates.empty()) {
        skip_blocked_before(m_keys.size());
        break;
      }
      Claim claim;
      if (claims) {
        claim = m_claims.claim(candidates, m_options.model, now, may_wait, order);
      } else {
        BucketMap none;
        claim = claim_in(none, candidates, m_options.model, now, may_wait);
      }
      for (const auto& [at, left] : claim.empty) {
        m_short[index_of[at]] = left;
        tell.short_of_requests(m_keys[index_of[at]], m_options.model, left);
      }
      // Every candidate before the chosen one (all of them when none is)
      // is done for this pass: its bucket is empty, or its mark stands. A
      // claim by units left may pass over candidates that still have some:
      // only the empty ones are done.
      std::size_t passed_end = claim.kind == Claim::Kind::go ? claim.index : candidates.size();
      if (order == ClaimOrder::most_left && claim.kind == Claim::Kind::go) {
        passed_end = 0;
        for (const auto& empty : claim.empty) {
          passed[index_of[empty.first]] = true;
        }
      }
      for (std::size_t c = 0; c < passed_end; ++c) {
        std::size_t i = index_of[c];
        skip_blocked_before(i);
        if (candidates[c].soft && !m_short.contains(i)) {
          auto block = m_marks.at(m_keys[i].fingerprint).blocking(m_options.model, now);
          tell.skipped(m_keys[i], *block, now);
        }
        passed[i] = true;
      }
      skip_blocked_before(claim.kind == Claim::Kind::go ? index_of[claim.index] : m_keys.size());
      if (claim.kind == Claim::Kind::none) {
        break;
      }
      std::size_t chosen = index_of[claim.index];
      if (claim.wait.count() > 0) {
        // A unit promised ahead: sleep until it is there, then use it.
        // For the affinity's key alone (nothing skipped before it), or for
        // the soonest of empty buckets.
        if (preferred_first && claim.index == 0 && claim.empty.empty()) {
          tell.waiting_for_affinity(m_keys[chosen], claim.wait);
        } else {
          tell.waiting(claim.wait);
        }
        if (!m_clock.sleep_for(claim.wait)) {
          m_claims.settle(m_keys[chosen], m_options.model, claim.ticket); // never sent
          result.kind = WalkResult::Kind::interrupted;
          return result;
        }
        waited += claim.wait;
      }
      passed[chosen] = true;
      m_short.erase(chosen);
      if (preferred_first && claim.index == 0) {
        tell.preferred(m_keys[chosen]);
      }
      m_ticket = claim.estimated ? claim.ticket : ClaimTicket{};
      KeyEnd end = try_key(m_keys[chosen], attempt, tell, result);
      if (claim.probe || m_ticket.valid()) {
        m_claims.settle(m_keys[chosen], m_options.model, m_ticket);
      }
      m_ticket = {};
      if (end == KeyEnd::done) {
        if (result.kind == WalkResult::Kind::success && m_options.affinity_store &&
            !m_options.affinity.empty()) {
          m_options.affinity_store->remember(m_options.affinity, m_keys[chosen].fingerprint,
                                             m_clock.now());
        }
        return result;
      }
    }
    exhaustion(result);
    if (result.kind != WalkResult::Kind::transient || !m_options.wait_max ||
        waited + result.retry_after > *m_options.wait_max) {
      return result;
    }
    tell.waiting(result.retry_after);
    if (!m_clock.sleep_for(result.retry_after)) {
      result.kind = WalkResult::Kind::interrupted;
      return result;
    }
    waited += result.retry_after;
  }
}

Walker::KeyEnd Walker::try_key(const keys::Key& key, const AttemptFn& attempt, WalkObserver& tell,
                               WalkResult& result) {
  for (int retry = 0;; ++retry) {
    AttemptOutcome outcome = attempt(key);
    ++result.attempts;
    result.key = &key;
    result.outcome = outcome;
    if (outcome.kind == AttemptOutcome::Kind::interrupted) {
      result.kind = WalkResult::Kind::interrupted;
      return KeyEnd::done;
    }
    Verdict verdict = classify(outcome);
    tell.attempted(key, outcome, verdict);
    switch (verdict) {
    case Verdict::success:
      result.kind = WalkResult::Kind::success;
      learn_from_success(key, outcome, tell);
      return KeyEnd::done;
    case Verdict::cool:
    case Verdict::disable: {
      Penalty penalty =
          penalty_for(outcome, verdict, m_options.model, m_clock.now(), m_options.default_cooldown);
      mark(key, penalty.scope, penalty.mark, tell);
      if (!penalty.scope.key_wide() && outcome.status == 429) {
        m_claims.refused(key, m_options.model, m_clock.now(), m_ticket);
        m_ticket = {};
      }
      return KeyEnd::next_key;
    }
    case Verdict::report:
      break;
    }
    if (retry >= m_options.retries || !is_retryable(outcome)) {
      result.kind = WalkResult::Kind::failed;
      return KeyEnd::done;
    }
    auto delay = retry_delay(outcome, retry, next_jitter());
    tell.retrying(key, retry + 1, delay);
    if (!m_clock.sleep_for(delay)) {
      result.kind = WalkResult::Kind::interrupted;
      return KeyEnd::done;
    }
  }
}

void Walker::mark(const keys::Key& key, const Scope& scope, const KeyMark& mark,
                  WalkObserver& tell) {
  m_marks[key.fingerprint].merge(scope, mark);
  m_store.record(key, scope, mark);
  tell.marked(key, scope, mark);
}

void Walker::learn_from_success(const keys::Key& key, const AttemptOutcome& outcome,
                                WalkObserver& tell) {
  if (outcome.limits.empty()) {
    return;
  }
  auto now = m_clock.now();
  if (!m_options.model.empty()) {
    // Seen when the answer arrived: after the upstream counted the request,
    // so each (limit - remaining) / (reset - seen) bounds the refill rate
    // from above and the lowest of them approaches it (pool/bucket.hpp).
    m_store.record_limits(key, m_options.model, ModelLimits{now, outcome.limits}, m_ticket);
    m_ticket = {};
  }
  // A limit used up by this very answer: the next request with this key and
  // model would be refused, so the key cools now instead of after a 429.
  if (auto proactive = proactive_cooldown(outcome.limits, now)) {
    mark(key, Scope::of_model(m_options.model),
         KeyMark::cooling(now, proactive->delay, outcome.status, proactive->reason), tell);
  }
}

void Walker::exhaustion(WalkResult& result) const {
  auto now = m_clock.now();
  std::optional<util::Millis> soonest;
  result.cooling = 0;
  result.disabled = 0;
  for (std::size_t i = 0; i < m_keys.size(); ++i) {
    const auto& key = m_keys[i];
    std::optional<Block> block;
    if (auto it = m_marks.find(key.fingerprint); it != m_marks.end()) {
      block = it->second.blocking(m_options.model, now);
    }
    if (auto short_of = m_short.find(i);
        short_of != m_short.end() && (!block || soft_block(*block))) {
      // Its bucket is empty: it cools until its next unit, whatever a
      // proactive mark says.
      ++result.cooling;
      soonest = soonest ? std::min(*soonest, short_of->second) : short_of->second;
      continue;
    }
    if (!block) {
      continue;
    }
    if (is_disabled(*block->mark)) {
      ++result.disabled;
    } else {
      ++result.cooling;
      auto left = cooldown_left(*block->mark, now);
      soonest = soonest ? std::min(*soonest, left) : left;
    }
  }
  if (soonest) {
    result.kind = WalkResult::Kind::transient;
    result.retry_after = *soonest;
  } else if (result.disabled == static_cast<int>(m_keys.size())) {
    result.kind = WalkResult::Kind::permanent;
    result.retry_after = util::Millis{0};
  } else {
    // Every key was usable when we looked but none is marked now: a cooldown
    // ended during the walk. Nothing is cooling, so the next walk can go
    // straight away; report it as transient with no delay.
    result.kind = WalkResult::Kind::transient;
    result.retry_after = util::Millis{0};
  }
}

} // namespace pool
