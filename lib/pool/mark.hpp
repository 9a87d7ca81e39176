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

// The times a mark read from a store may carry (docs/redis.md, "Values out
// of range"). A store that another program can write (Redis, the claims
// ledger) can hold any 64-bit number; bridge clamps what it reads into
// [k_earliest_time, k_latest_time] and a cooldown to k_max_cooldown, so
// that no arithmetic on time points overflows (which would also make a key
// that cools for ever ready), and no date prints as nonsense.
inline constexpr util::TimePoint k_earliest_time{util::Millis{0}};                 // 1970-01-01
inline constexpr util::TimePoint k_latest_time{util::Millis{253'402'300'799'999}}; // 9999-12-31
inline constexpr util::Millis k_max_cooldown{1'000'000'000'000};                   // ~31 years
util::TimePoint clamp_time(long long ms_since_epoch);
util::Millis clamp_delay(long long ms);

// Whether `mark` (as read at `now`) carries a date no bridge would have
// written: began before 2000 or more than a day after `now`, or cools
// until more than a year after `now`. keys status says so: such a mark was
// planted, or written by a server whose clock is far off.
bool is_suspect(const KeyMark& mark, util::TimePoint now);

} // namespace pool
