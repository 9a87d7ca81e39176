#include "pool/walker.hpp"

#include <algorithm>
#include <random>

namespace pool {

namespace {
WalkObserver g_silent_observer;
} // namespace

Walker::Walker(const std::vector<keys::Key>& keys, MarkStore& store, util::Clock& clock,
               WalkOptions options)
    : m_keys(keys), m_store(store), m_clock(clock), m_options(std::move(options)) {}

double Walker::next_jitter() {
  if (m_options.jitter) {
    return m_options.jitter();
  }
  static thread_local std::mt19937 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

WalkResult Walker::walk(const AttemptFn& attempt, WalkObserver* observer) {
  WalkObserver& tell = observer ? *observer : g_silent_observer;
  WalkResult result;
  util::Millis waited{0};
  while (true) {
    m_marks = m_store.load();
    for (const auto& key : m_keys) {
      auto it = m_marks.find(key.fingerprint);
      if (it != m_marks.end()) {
        auto now = m_clock.now();
        if (auto block = it->second.blocking(m_options.model, now)) {
          tell.skipped(key, *block, now);
          continue;
        }
      }
      if (try_key(key, attempt, tell, result) == KeyEnd::done) {
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

Walker::KeyEnd Walker::try_key(const keys::Key& key, const AttemptFn& attempt,
                               WalkObserver& tell, WalkResult& result) {
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
      Penalty penalty = penalty_for(outcome, verdict, m_options.model, m_clock.now(),
                                    m_options.default_cooldown);
      mark(key, penalty.scope, penalty.mark, tell);
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
    m_store.record_limits(key, m_options.model, ModelLimits{now, outcome.limits});
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
  for (const auto& key : m_keys) {
    auto it = m_marks.find(key.fingerprint);
    if (it == m_marks.end()) {
      continue;
    }
    auto block = it->second.blocking(m_options.model, now);
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
