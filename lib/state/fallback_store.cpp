#include "state/fallback_store.hpp"

#include "util/error.hpp"

#include <fmt/format.h>

namespace state {

namespace {
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
  return shared_or_local([&] { return m_primary.try_load(); }, [&] { return m_fallback.load(); });
}

void FallbackStore::record(const keys::Key& key, const pool::Scope& scope,
                           const pool::KeyMark& mark) {
  shared_or_local([&] { return m_primary.try_record(key, scope, mark); },
                  [&] { m_fallback.record(key, scope, mark); });
}

void FallbackStore::record_limits(const keys::Key& key, const std::string& model,
                                  const pool::ModelLimits& limits,
                                  const pool::ClaimTicket& ticket) {
  shared_or_local([&] { return m_primary.try_record_limits(key, model, limits, ticket); },
                  [&] { m_fallback.record_limits(key, model, limits, ticket); });
}

pool::Claim FallbackStore::claim(const std::vector<pool::ClaimCandidate>& candidates,
                                 const std::string& model, util::TimePoint now,
                                 util::Millis may_wait, pool::ClaimOrder order) {
  return shared_or_local(
      [&] { return m_primary.try_claim(candidates, model, now, may_wait, order); },
      [&] { return m_fallback.claim(candidates, model, now, may_wait, order); });
}

void FallbackStore::refused(const keys::Key& key, const std::string& model, util::TimePoint now,
                            const pool::ClaimTicket& ticket) {
  shared_or_local([&] { return m_primary.try_refused(key, model, now, ticket); },
                  [&] { m_fallback.refused(key, model, now, ticket); });
}

void FallbackStore::settle(const keys::Key& key, const std::string& model,
                           const pool::ClaimTicket& ticket) {
  shared_or_local([&] { return m_primary.try_settle(key, model, ticket); },
                  [&] { m_fallback.settle(key, model, ticket); });
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
