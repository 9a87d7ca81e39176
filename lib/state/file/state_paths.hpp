#pragma once

#include <array>
#include <string>
#include <string_view>

namespace state {

// The state file and the files beside it (docs/state.md), named in one place:
// every part of the file store asks this type for a sibling's path, so that
// a new sibling is one more line here and the location checks
// (state_location_problem) cannot forget it.
class StatePaths {
public:
  // A sibling: the suffix added to the state file's path, and what it is
  // called in messages.
  struct Sibling {
    std::string_view suffix;
    const char* what;
  };
  static constexpr std::string_view k_lock = ".lock";
  static constexpr std::string_view k_corrupt = ".corrupt";
  static constexpr std::string_view k_journal = ".journal";
  static constexpr std::string_view k_folding = ".journal.folding";
  static constexpr std::string_view k_claims = ".claims";
  static constexpr std::string_view k_affinity = ".affinity";
  // The state file itself (empty suffix) and every sibling.
  static constexpr std::array<Sibling, 7> k_all = {{{"", "state file"},
                                                    {k_lock, "lock file"},
                                                    {k_corrupt, "set-aside file"},
                                                    {k_journal, "journal"},
                                                    {k_folding, "journal"},
                                                    {k_claims, "claims ledger"},
                                                    {k_affinity, "affinity file"}}};

  explicit StatePaths(std::string state) : m_state(std::move(state)) {}

  const std::string& state() const { return m_state; }
  // The lock every change of the state file is made under.
  std::string lock() const { return with(k_lock); }
  // Where a corrupt state file is set aside.
  std::string corrupt() const { return with(k_corrupt); }
  // The side journal marks are appended to without a lock.
  std::string journal() const { return with(k_journal); }
  // The journal while a lock holder folds it into the state file.
  std::string folding() const { return with(k_folding); }
  // The claims ledger (request buckets).
  std::string claims() const { return with(k_claims); }
  // Which key last served each prompt-cache affinity.
  std::string affinity() const { return with(k_affinity); }

private:
  std::string with(std::string_view suffix) const { return m_state + std::string(suffix); }

  std::string m_state;
};

} // namespace state
