#pragma once

#include "keys/key.hpp"
#include "pool/mark_store.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace state {

inline constexpr int k_state_version = 1;

// The deepest nesting of arrays and objects a state file may have. Ours has
// three levels; unknown fields get ample room, but a file nested thousands
// deep would cost quadratic memory to rewrite and deep recursion to print,
// so it is treated as corrupt (and set aside) by both readers.
inline constexpr int k_max_state_depth = 64;

// Whether `text` nests arrays/objects deeper than `limit` (strings are
// skipped; the text need not be valid JSON).
bool nests_deeper_than(std::string_view text, int limit);

// The mark an entry's fields describe, or nullopt when they describe none
// (an unknown "mark", a "since" or, for cooling, an "until" that is not RFC
// 3339). Shared by both readers, so that they cannot drift apart.
std::optional<pool::KeyMark> mark_from_fields(std::string_view kind, std::string_view since,
                                              std::string_view until, int status,
                                              std::string_view reason);

// The per-model marks and limits of an entry from the JSON text of its
// "models" member (see StateDocument; the fast reader's path: it is rare, so
// it is parsed with nlohmann). False, with `marks` untouched, when nlohmann
// refuses the text. The readers of parsed JSON values are in
// state/file/json_fields.hpp, inside the state layer.
bool read_model_marks_text(std::string_view models_json, pool::KeyMarks& marks);

// Limits seen longer ago than this tell nothing about now: either store
// drops them.
inline constexpr util::Millis k_limits_kept{24LL * 3600 * 1000};

// The JSON of the state file (docs/contract.md, "The state file"):
//   {"version": 1, "keys": {FINGERPRINT: {"label", "hint", "mark", "until",
//                                          "since", "status", "reason",
//                                          "models": {MODEL: {...}}}}}
// The mark fields at the top of an entry are its key-wide mark, as every
// version of bridge reads them. "models" (version 1 still: older readers keep
// it and ignore it) holds per model the same mark fields, for a cooldown of
// that model only, and "limits": {"seen": TIME, KIND: {"remaining", "limit",
// "reset"}} with the rate limits last reported for it.
// It keeps every field it does not know, at every level, so that a rewrite by
// this version loses nothing a newer or older one wrote.
class StateDocument {
public:
  enum class Parse { ok, corrupt, newer_version };

  // An empty document of the current version.
  StateDocument();
  ~StateDocument();
  StateDocument(const StateDocument& other);
  StateDocument& operator=(const StateDocument& other);
  StateDocument(StateDocument&& other) noexcept;
  StateDocument& operator=(StateDocument&& other) noexcept;
  // Parses `text`. On `corrupt` the reason is in `problem`; on `newer_version`
  // the document must not be written back.
  static Parse parse(std::string_view text, StateDocument& out, std::string& problem);

  // Marks by fingerprint. Entries that do not read as a mark are ignored here
  // but kept in the file.
  pool::MarkMap marks() const;
  // Merges `mark` into the entry of `key` in `scope` (pool::KeyMarks::merge),
  // updating label and hint and keeping unknown fields.
  void merge(const keys::Key& key, const pool::Scope& scope, const pool::KeyMark& mark);
  void merge(const keys::Key& key, const pool::KeyMark& mark) {
    merge(key, pool::Scope::every_model(), mark);
  }
  // The same for an entry known by fingerprint, label and hint (a journal record).
  void merge(const std::string& fingerprint, const std::string& label, const std::string& hint,
             const pool::Scope& scope, const pool::KeyMark& mark);
  // Replaces the limits last seen for `model` of `key`.
  void set_limits(const keys::Key& key, const std::string& model, const pool::ModelLimits& limits);
  // Removes the entry of a fingerprint; returns whether there was one.
  bool remove(const std::string& fingerprint);
  // Removes the key-wide mark of a fingerprint when it is a disabled one
  // (cooldowns stay); returns whether there was one.
  bool clear_disabled(const std::string& fingerprint);
  // Removes every entry.
  std::size_t clear();
  // Drops cooldowns that are over at `now` (and limits seen more than a day
  // ago); an entry left with nothing is removed.
  void prune(util::TimePoint now);
  std::size_t size() const;

  std::string serialize() const;

private:
  // The nlohmann::json document, defined in the .cpp file only.
  struct Json;
  std::unique_ptr<Json> m_json;
};

} // namespace state
