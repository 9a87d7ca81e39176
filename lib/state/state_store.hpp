#pragma once

#include "pool/mark_store.hpp"
#include "state/state_document.hpp"
#include "util/clock.hpp"

#include <functional>
#include <string>
#include <vector>

namespace state {

// The shared state file (SPEC §4) as the walker's MarkStore.
//
// Reads need no lock: writes are atomic renames, so a reader sees a whole old
// or a whole new file. Every change is read → merge → write under an
// exclusive flock on "<path>.lock", waited for at most `lock_bound`; the lock
// is held only for that, never across a network request.
//
// Storage trouble never fails the request: a corrupt file is moved aside to
// "<path>.corrupt" and treated as empty; an unreadable file, a lock that
// cannot be had, or a failed write each give one warning and the invocation
// goes on without saving. Only a file written by a newer version is refused:
// load() throws util::Error (exit 78) and the file is never rewritten.
class StateStore final : public pool::MarkStore {
public:
  using WarningSink = std::function<void(const std::string&)>;

  StateStore(std::string path, util::Clock& clock, WarningSink warn,
             util::Millis lock_bound = util::Millis{5000});

  pool::MarkMap load() override;
  using pool::MarkStore::record;
  void record(const keys::Key& key, const pool::Scope& scope, const pool::KeyMark& mark) override;
  void record_limits(const keys::Key& key, const std::string& model,
                     const pool::ModelLimits& limits) override;

  // Clears the marks of the given fingerprints (all marks when empty) and
  // returns how many entries were removed. Throws util::Error when the change
  // cannot be saved, since saving is the whole point of a reset.
  std::size_t reset(const std::vector<std::string>& fingerprints);

  // Clears the disabled marks of the given fingerprints, leaving cooldowns
  // alone (keys check, for keys that work again); returns how many were
  // cleared. Storage trouble is a warning, as for record().
  std::size_t clear_disabled(const std::vector<std::string>& fingerprints);

  const std::string& path() const { return m_path; }

  enum class ReadResult { ok, missing, corrupt, unreadable, newer_version };

private:
  ReadResult read_text(std::string& text, std::string& problem) const;
  ReadResult read(StateDocument& doc, std::string& problem) const;
  // Applies `change` under the lock and writes the result; returns false (with
  // a message in `problem`) when nothing could be saved.
  bool update(const std::function<void(StateDocument&)>& change, std::string& problem);
  void warn_once(const std::string& message);

  std::string m_path;
  util::Clock& m_clock;
  WarningSink m_warn;
  util::Millis m_lock_bound;
  std::vector<std::string> m_warned;
  bool m_lock_failed = false;
};

} // namespace state
