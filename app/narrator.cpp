// -v: what the walk did, as it goes.
#include "narrator.hpp"

#include "mark_text.hpp"

#include "util/interrupt.hpp"
#include "util/time_format.hpp"

#include <fmt/format.h>

namespace app {

std::string describe_key(const keys::Key& key) {
  return fmt::format("{} ({})", key.label, key.hint);
}

std::string describe_outcome(const pool::AttemptOutcome& outcome, const AttemptRecord& record) {
  switch (outcome.kind) {
  case pool::AttemptOutcome::Kind::network_failure:
    return "network failure: " + record.attempt.transfer.message;
  case pool::AttemptOutcome::Kind::broken_answer:
    return fmt::format("{}, then failed: {}", outcome.status, record.broken);
  case pool::AttemptOutcome::Kind::interrupted:
    return util::interrupt_message();
  case pool::AttemptOutcome::Kind::answered:
    break;
  }
  if (outcome.error_type.empty()) {
    return std::to_string(outcome.status);
  }
  return fmt::format("{} {}", outcome.status, outcome.error_type);
}

void Narrator::skipped(const keys::Key& key, const pool::Block& block, util::TimePoint now) {
  m_console.detail(
      fmt::format("key {}: skipped, {}", describe_key(key), describe_block(block, now)));
}
void Narrator::attempted(const keys::Key& key, const pool::AttemptOutcome& outcome,
                         pool::Verdict verdict) {
  std::string what = describe_outcome(outcome, m_record);
  // A failover is told once its mark is made (marked()).
  if (verdict == pool::Verdict::success || verdict == pool::Verdict::report) {
    m_console.detail(fmt::format("key {}: {}", describe_key(key), what));
  } else {
    m_pending = fmt::format("key {}: {}", describe_key(key), what);
  }
}
std::string Narrator::then_after(const keys::Key& key) const {
  const auto& keys = m_source.keys;
  bool last = keys.empty() || &key == &keys.back();
  return last ? std::string("; no key left to try") : std::string("; trying the next key");
}

void Narrator::marked(const keys::Key& key, const pool::Scope& scope, const pool::KeyMark& mark) {
  std::string head = m_pending.empty() ? fmt::format("key {}: {}", describe_key(key), mark.status)
                                       : std::move(m_pending);
  m_pending.clear();
  if (pool::is_disabled(mark)) {
    m_console.detail(head + ", disabled" + then_after(key));
    if (m_source.mode == KeySource::Mode::pool) {
      // Said once, without -v: later runs skip the key without a word, so
      // this is the moment to tell the user (docs/contract.md, keys).
      m_console.warning(lasting_mark_warning(key, mark));
    }
    return;
  }
  if (m_source.mode == KeySource::Mode::pool) {
    // A spend limit or billing problem rests the key for hours or weeks:
    // said once, as a refusal is.
    if (auto warning = lasting_mark_warning(key, mark); !warning.empty()) {
      m_console.warning(warning);
    }
  }
  std::string span = util::format_delay(mark.until - mark.since);
  std::string which = scope.key_wide() ? std::string("every model") : scope.model();
  if (mark.status >= 200 && mark.status < 300) {
    // A proactive mark after a success (attempted() told the success).
    m_console.detail(fmt::format("key {}: {}, cooling for {} for {}", describe_key(key),
                                 mark.reason, span, which));
  } else {
    m_console.detail(fmt::format("{}{}, cooling for {} for {}{}", head,
                                 mark.reason == "spend_limit" || mark.reason == "billing"
                                     ? " (" + mark.reason + ")"
                                     : std::string(),
                                 span, which, then_after(key)));
  }
}
void Narrator::short_of_requests(const keys::Key& key, const std::string& model,
                                 util::Millis left) {
  m_console.detail(fmt::format("key {}: skipped, no request left for {} for {} (estimated)",
                               describe_key(key), model, util::format_delay(left)));
}
void Narrator::preferred(const keys::Key& key) {
  m_console.detail(fmt::format("key {}: chosen for affinity (it served this conversation last)",
                               describe_key(key)));
}
void Narrator::waiting_for_affinity(const keys::Key& key, util::Millis delay) {
  // A short wait (at most one refill interval), told with -v only: routine
  // for a conversation, unlike a pool whose every key is cooling.
  m_console.detail(fmt::format("key {}: no request left, waiting {} ms for its next one",
                               describe_key(key), delay.count()));
}
void Narrator::retrying(const keys::Key& key, int retry, util::Millis delay) {
  m_console.detail(
      fmt::format("key {}: retry {} in {} ms", describe_key(key), retry, delay.count()));
}
void Narrator::waiting(util::Millis delay) {
  std::string span = util::format_delay(delay);
  m_console.notice(
      m_source.keys.size() == 1
          ? fmt::format("the key is cooling; waiting {} for it to be ready", span)
          : fmt::format("every key is cooling; waiting {} for the first to be ready", span));
}

} // namespace app
