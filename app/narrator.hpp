#pragma once

// -v: what the walk did, one line per attempt and per skipped key.

#include "console.hpp"
#include "send.hpp"

#include "pool/walker.hpp"

#include <string>

namespace app {

// "LABEL (HINT)": how messages name a key (never its secret).
std::string describe_key(const keys::Key& key);

// How an attempt ended, in a few words ("429 rate_limit_error", "network
// failure: ..."), from its outcome and what its record kept.
std::string describe_outcome(const pool::AttemptOutcome& outcome, const AttemptRecord& record);

// Tells the walk as it goes: with -v one line per attempt, per skipped key
// and per mark (a failover is told once its mark is made, with the
// cooldown); the "every key is cooling; waiting" notice unless -q. It reads
// the record of the attempt in progress, which run_send refills.
class Narrator final : public pool::WalkObserver {
public:
  // `source` says how many keys there are, in which order, and whether
  // `keys reset` can re-enable one (pool mode).
  Narrator(const Console& console, const AttemptRecord& record, const KeySource& source)
      : m_console(console), m_record(record), m_source(source) {}

  void skipped(const keys::Key& key, const pool::Block& block, util::TimePoint now) override;
  void attempted(const keys::Key& key, const pool::AttemptOutcome& outcome,
                 pool::Verdict verdict) override;
  void marked(const keys::Key& key, const pool::Scope& scope, const pool::KeyMark& mark) override;
  void short_of_requests(const keys::Key& key, const std::string& model,
                         util::Millis left) override;
  void retrying(const keys::Key& key, int retry, util::Millis delay) override;
  void waiting(util::Millis delay) override;
  void preferred(const keys::Key& key) override;
  void waiting_for_affinity(const keys::Key& key, util::Millis delay) override;

private:
  const Console& m_console;
  const AttemptRecord& m_record;
  const KeySource& m_source;
  // "; trying the next key", or what follows the last key of the file.
  std::string then_after(const keys::Key& key) const;
  std::string m_pending; // a failover's line, told with its mark
};

} // namespace app
