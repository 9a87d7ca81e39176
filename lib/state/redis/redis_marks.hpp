#pragma once

#include "pool/key_marks.hpp"
#include "util/clock.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace state {

// The marks of a pool as the Redis store keeps them (docs/redis.md,
// "Layout"): one hash, <prefix>{pool}:marks, whose field is a key's
// fingerprint and whose value holds that key's marks, one line per scope:
//   scope TAB kind TAB status TAB since_ms TAB delay_ms TAB label TAB hint TAB reason
// record.lua writes the lines and mark_time.lua reads them on the server.
// The scope, label, hint and reason are escaped (escape_field), so that a
// line splits on TAB and holds no newline. A cooldown ends at since_ms +
// delay_ms on the server's clock.

// Backslash, TAB and newline as \\, \t and \n.
std::string escape_field(std::string_view text);

// The scope a line or an index member names; nullopt for anything else a
// newer version may have made.
std::optional<pool::Scope> scope_of_field(std::string_view name);

// A mark as the server keeps it, seen from this machine's clock: a cooldown
// that has `left_ms` to go on the server ends that long after `now`, and
// began its full delay before that end, so that cooldown_left() gives
// exactly what the server has left. nullopt when it has ended, or when
// `kind` is none of ours. Every number is clamped (pool::clamp_time,
// clamp_delay) before any arithmetic on time points.
std::optional<pool::KeyMark> to_mark(std::string_view kind, long long status, std::string reason,
                                     long long since_ms, long long delay_ms, long long left_ms,
                                     util::TimePoint now);

// Merges every mark of one key's value that holds at the server's time
// `server_now_ms` (load.lua sends its TIME) into `into`; lines that have
// ended or are not marks are skipped.
void read_marks_value(std::string_view value, long long server_now_ms, util::TimePoint now,
                      pool::KeyMarks& into);

// How many lines (marks, ended or not) a value holds.
std::size_t count_mark_lines(std::string_view value);

} // namespace state
