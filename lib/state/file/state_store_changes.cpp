// What walks and commands change in the state file: a mark recorded, marks
// reset, disabled marks cleared. Each goes through StateStore::update
// (state_store.cpp), which holds the lock, merges and writes.
#include "state/file/atomic_file.hpp"
#include "state/file/state_document.hpp"
#include "state/file/state_store.hpp"
#include "util/error.hpp"

#include <fmt/format.h>

namespace state {

void StateStore::record(const keys::Key& key, const pool::Scope& scope, const pool::KeyMark& mark) {
  std::string problem;
  if (auto made = make_parent_directories(m_path); !made) {
    warn_once(fmt::format("state not saved: {}", made.error()));
    return;
  }
  // The mark goes to the journal first, without any lock: from then on
  // every reader sees it, and it reaches the state file with the next fold,
  // ours or another process's (docs/state.md).
  auto appended = m_journal.append({key.fingerprint, key.label, key.hint, mark, scope.model()});
  if (!appended) {
    // No journal (a full disk...): straight into the state file under the
    // lock, as far as that is possible.
    if (update([&](StateDocument& doc) { doc.merge(key, scope, mark); }, problem) != Saved::yes) {
      warn_once(fmt::format("state not saved: {}", problem));
    }
    return;
  }
  switch (update([](StateDocument&) {}, problem, &*appended)) {
  case Saved::yes:
    return;
  case Saved::lock_busy:
    warn_once(fmt::format("{}; the mark is kept in {} and a later run saves it", problem,
                          m_journal.path()));
    return;
  case Saved::no:
    warn_once(
        fmt::format("state not saved yet: {}; the mark is kept in {}", problem, m_journal.path()));
    return;
  }
}

std::size_t StateStore::clear_disabled(const std::vector<std::string>& fingerprints) {
  std::size_t cleared = 0;
  std::string problem;
  bool saved = Saved::yes == update(
                                 [&](StateDocument& doc) {
                                   for (const auto& fingerprint : fingerprints) {
                                     cleared += doc.clear_disabled(fingerprint) ? 1 : 0;
                                   }
                                 },
                                 problem);
  if (!saved) {
    warn_once(fmt::format("state not saved: {}", problem));
    return 0;
  }
  return cleared;
}

void StateStore::check_writable() { load(); }

std::size_t StateStore::reset_with(const std::function<std::size_t(StateDocument&)>& change) {
  std::size_t removed = 0;
  std::string problem;
  if (update([&](StateDocument& doc) { removed = change(doc); }, problem) != Saved::yes) {
    throw util::Error(util::ExitCode::config, fmt::format("cannot reset: {}", problem));
  }
  return removed;
}

std::size_t StateStore::reset(const std::vector<std::string>& fingerprints) {
  if (fingerprints.empty()) {
    return 0; // nothing named: nothing to change, and no lock to take
  }
  return reset_with([&](StateDocument& doc) {
    std::size_t removed = 0;
    for (const auto& fingerprint : fingerprints) {
      removed += doc.remove(fingerprint) ? 1 : 0;
    }
    return removed;
  });
}

std::size_t StateStore::reset_all() {
  return reset_with([](StateDocument& doc) { return doc.clear(); });
}

} // namespace state
