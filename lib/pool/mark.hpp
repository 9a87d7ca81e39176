#pragma once

#include "util/clock.hpp"

#include <optional>
#include <string>

namespace pool {

enum class MarkKind { cooling, disabled };

// What the pool has learned about one key. A cooling mark ends at `until`; a
// disabled mark lasts until `bridge keys reset` or until the key leaves the
// key file. `status` and `reason` are the upstream HTTP status and error type
// that made the mark, for people reading `keys status`.
struct KeyMark {
  MarkKind kind = MarkKind::cooling;
  util::TimePoint since{};
  util::TimePoint until{};
  int status = 0;
  std::string reason;

  static KeyMark cooling(util::TimePoint now, util::Millis delay, int status, std::string reason);
  static KeyMark disabled(util::TimePoint now, int status, std::string reason);
};

// Time left on a cooldown at `now`, never negative. Clock safety: however far
// the wall clock has jumped backwards, what is left never exceeds the delay
// that made the mark (until - since). Zero for a disabled mark.
util::Millis cooldown_left(const KeyMark& mark, util::TimePoint now);

bool is_disabled(const KeyMark& mark);
bool is_cooling(const KeyMark& mark, util::TimePoint now);
bool is_usable(const std::optional<KeyMark>& mark, util::TimePoint now);

// Combines what was stored with a new mark (docs/contract.md, the failover walk): a disabled mark
// beats a cooling one; a cooldown is never shortened, so two cooling marks give the later end (and
// the `since`, status and reason of the one that ends later).
KeyMark merge_marks(const std::optional<KeyMark>& stored, const KeyMark& incoming);

const char* to_string(MarkKind kind);

} // namespace pool
