#pragma once

#include "pool/mark_store.hpp"
#include "state/file/claim_ledger.hpp"
#include "state/file/mark_journal.hpp"
#include "state/file/state_paths.hpp"
#include "util/clock.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace state {

// The shared state file (docs/contract.md, docs/state.md) as the walker's MarkStore.
//
// Reads need no lock: writes are atomic renames, so a reader sees a whole old
// or a whole new file. Every change is read → merge → write under an
// exclusive flock on "<path>.lock", waited for at most `lock_bound`; the lock
// is held only for that, never across a network request.
//
// A mark is first appended to the side journal (MarkJournal, no lock), then
// folded into the file under the lock by whichever process takes it next:
// one holder folds the marks of every waiter, and a waiter stops waiting once
// its mark is folded. Readers add the journal to what the file says, so a
// mark is never lost to a busy or stuck lock holder (docs/state.md).
//
// Diagnostics (state/test_hooks.hpp): BRIDGE_STATE_TIMING=FILE appends one
// line per update with the microseconds waited for and holding the lock;
// BRIDGE_STATE_TEST_STOP=FILE (tests only) creates FILE and stops the process
// (SIGSTOP) right after it first takes the lock.
//
// Storage trouble never fails the request: a corrupt file is moved aside to
// "<path>.corrupt" and treated as empty; an unreadable file, a lock that
// cannot be had, or a failed write each give one warning and the invocation
// goes on without saving. Only a file written by a newer version is refused:
// load() throws util::Error (exit 78) and the file is never rewritten.
class StateDocument;
class LocationCheck;

class StateStore final : public pool::PoolStore {
public:
  using WarningSink = std::function<void(const std::string&)>;

  StateStore(std::string path, util::Clock& clock, WarningSink warn,
             util::Millis lock_bound = util::Millis{5000});

  pool::MarkMap load() override;
  using pool::MarkStore::record;
  void record(const keys::Key& key, const pool::Scope& scope, const pool::KeyMark& mark) override;
  // Limits go to the claims ledger (every answer: the buckets' estimates)
  // and to the state file only when they matter to a reader: first seen for
  // the model, a limit that changed, or the file's copy a minute old.
  void record_limits(const keys::Key& key, const std::string& model,
                     const pool::ModelLimits& limits, const pool::ClaimTicket& ticket) override;
  // Claims go through the ledger (ClaimLedger); a ledger that cannot be used
  // gives the plain walk, with one warning. Until an answer has made the
  // ledger, a claim in key-file order takes no lock (the plain walk); one by
  // units left makes it, so that the probes of new conversations started at
  // once are counted and spread.
  pool::Claim claim(const std::vector<pool::ClaimCandidate>& candidates, const std::string& model,
                    util::TimePoint now, util::Millis may_wait, pool::ClaimOrder order) override;
  void refused(const keys::Key& key, const std::string& model, util::TimePoint now,
               const pool::ClaimTicket& ticket) override;
  void settle(const keys::Key& key, const std::string& model,
              const pool::ClaimTicket& ticket) override;

  // Loads the file, so that one written by a newer version is refused
  // (util::Error, exit 78) before anything is changed.
  void check_writable() override;
  // Clears the entries of the given fingerprints (reset) or every entry
  // (reset_all) and returns how many were removed. Throws util::Error (exit
  // 78) when the change cannot be saved.
  std::size_t reset(const std::vector<std::string>& fingerprints) override;
  std::size_t reset_all() override;
  // Clears the disabled marks of the given fingerprints, leaving cooldowns
  // alone (keys check, for keys that work again); returns how many were
  // cleared. Storage trouble is a warning, as for record(): the file is this
  // machine's own, and the probe's verdict is seen again at the next check.
  std::size_t clear_disabled(const std::vector<std::string>& fingerprints) override;

  const std::string& path() const { return m_path; }
  // Checks the location through `check` (which may remember a safe one for
  // a while: location_check.hpp) rather than afresh at every load and
  // change. `check` outlives the store.
  void share_location_check(LocationCheck& check) { m_location_check = &check; }

  enum class ReadResult { ok, missing, corrupt, unreadable, newer_version };

private:
  ReadResult read_text(std::string& text, std::string& problem) const;
  ReadResult read(StateDocument& doc, std::string& problem) const;
  enum class Saved { yes, lock_busy, no };
  // Folds the journal and applies `change` under the lock, and writes the
  // result; on anything but `yes` the reason is in `problem`. `appended`: a
  // record of ours in the journal, which may be folded by another holder
  // while we wait (then there is nothing left to do).
  Saved update(const std::function<void(StateDocument&)>& change, std::string& problem,
               const MarkJournal::Position* appended = nullptr);
  void warn_once(const std::string& message);
  void report_timing(long long wait_us, long long hold_us, std::size_t records,
                     const char* outcome) const;
  // Applies `change` (counting what it removed) under the lock; throws
  // util::Error when that cannot be saved.
  std::size_t reset_with(const std::function<std::size_t(StateDocument&)>& change);

  std::string m_path;
  StatePaths m_paths;
  MarkJournal m_journal;
  ClaimLedger m_ledger;
  // The limits the state file held at the last load(), by fingerprint and model.
  std::map<std::string, std::map<std::string, pool::ModelLimits>> m_file_limits;
  util::Clock& m_clock;
  WarningSink m_warn;
  util::Millis m_lock_bound;
  std::vector<std::string> m_warned;
  bool m_lock_failed = false;
  LocationCheck* m_location_check = nullptr;
};

} // namespace state
