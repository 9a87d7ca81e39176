#include "state/fallback_store.hpp"

#include "util/error.hpp"

#include <chrono>
#include <fmt/format.h>

namespace state {

namespace {
// Time spent on the primary, measured on the steady clock (the wall clock
// may be anything, and is faked in tests).
class Stopwatch {
public:
  util::Millis elapsed() const {
    return std::chrono::duration_cast<util::Millis>(std::chrono::steady_clock::now() - m_start);
  }

private:
  std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

// A failure message as a clause that bridge's own words may follow: a
// server's text may end with a full stop (Redis's "... or user is
// disabled."), which would read ".;".
std::string clause(std::string text) {
  while (!text.empty() && (text.back() == '.' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}
} // namespace

FallbackStore::FallbackStore(SharedStore& primary, pool::PoolStore& fallback,
                             std::string fallback_name, WarningSink warn)
    : m_primary(primary), m_fallback(fallback), m_fallback_name(std::move(fallback_name)),
      m_warn(std::move(warn)) {}

void FallbackStore::give_up(const std::string& problem, util::Millis spent) {
  m_down = true;
  m_configuration = m_primary.failure_is_configuration();
  m_problem = m_configuration ? "configuration error: " + clause(problem) : clause(problem);
  if (m_warn) {
    m_warn(fmt::format("shared state {}: {} (gave up after {} ms); using the local state file {}{}",
                       m_primary.display(), m_problem, spent.count(), m_fallback_name,
                       m_configuration ? " until the set-up is fixed" : ""));
  }
}

pool::MarkMap FallbackStore::load() {
  if (!m_down) {
    Stopwatch watch;
    auto marks = m_primary.try_load();
    if (marks) {
      // Swapped out rather than moved: GCC 12 at -O3 takes the moved-from
      // variant's destructor for a delete of a stack object
      // (-Wfree-nonheap-object, a false positive).
      pool::MarkMap loaded;
      loaded.swap(*marks);
      return loaded;
    }
    give_up(marks.error(), watch.elapsed());
  }
  return m_fallback.load();
}

void FallbackStore::record(const keys::Key& key, const pool::Scope& scope,
                           const pool::KeyMark& mark) {
  if (!m_down) {
    Stopwatch watch;
    auto recorded = m_primary.try_record(key, scope, mark);
    if (recorded) {
      return;
    }
    give_up(recorded.error(), watch.elapsed());
  }
  m_fallback.record(key, scope, mark);
}

void FallbackStore::record_limits(const keys::Key& key, const std::string& model,
                                  const pool::ModelLimits& limits) {
  if (!m_down) {
    Stopwatch watch;
    auto recorded = m_primary.try_record_limits(key, model, limits);
    if (recorded) {
      return;
    }
    give_up(recorded.error(), watch.elapsed());
  }
  m_fallback.record_limits(key, model, limits);
}

pool::Claim FallbackStore::claim(const std::vector<pool::ClaimCandidate>& candidates,
                                 const std::string& model, util::TimePoint now,
                                 util::Millis may_wait) {
  if (!m_down) {
    Stopwatch watch;
    auto claimed = m_primary.try_claim(candidates, model, now, may_wait);
    if (claimed) {
      return *claimed;
    }
    give_up(claimed.error(), watch.elapsed());
  }
  return m_fallback.claim(candidates, model, now, may_wait);
}

void FallbackStore::refused(const keys::Key& key, const std::string& model, util::TimePoint now) {
  if (!m_down) {
    Stopwatch watch;
    auto done = m_primary.try_refused(key, model, now);
    if (done) {
      return;
    }
    give_up(done.error(), watch.elapsed());
  }
  m_fallback.refused(key, model, now);
}

void FallbackStore::settle(const keys::Key& key, const std::string& model) {
  if (!m_down) {
    Stopwatch watch;
    auto done = m_primary.try_settle(key, model);
    if (done) {
      return;
    }
    give_up(done.error(), watch.elapsed());
  }
  m_fallback.settle(key, model);
}

// A refused password is the set-up's fault (78); a server away, the
// network's (69).
util::ExitCode FallbackStore::exit_code() const {
  return m_configuration ? util::ExitCode::config : util::ExitCode::unavailable;
}

void FallbackStore::refuse_if_down(const char* what) const {
  if (m_down) {
    throw util::Error(exit_code(),
                      fmt::format("cannot {} on {}: {} (earlier in this run); nothing was changed",
                                  what, m_primary.display(), m_problem));
  }
}

std::size_t FallbackStore::change(const char* what, const util::Expected<std::size_t>& done,
                                  bool atomic) const {
  if (!done) {
    // A walk by SCAN (reset_all) changes as it goes: its message says how far.
    bool configuration = m_primary.failure_is_configuration();
    throw util::Error(configuration ? util::ExitCode::config : util::ExitCode::unavailable,
                      fmt::format("cannot {} on {}: {}{}{}", what, m_primary.display(),
                                  configuration ? "configuration error: " : "",
                                  clause(done.error()), atomic ? "; nothing was changed" : ""));
  }
  return *done;
}

std::size_t FallbackStore::reset(const std::vector<std::string>& fingerprints) {
  refuse_if_down("reset the marks");
  return change("reset the marks", m_primary.try_reset(fingerprints));
}

std::size_t FallbackStore::reset_all() {
  refuse_if_down("reset the marks");
  return change("reset the marks", m_primary.try_reset_all(), /*atomic=*/false);
}

std::size_t FallbackStore::clear_disabled(const std::vector<std::string>& fingerprints) {
  refuse_if_down("clear the disabled marks");
  return change("clear the disabled marks", m_primary.try_clear_disabled(fingerprints));
}

} // namespace state
