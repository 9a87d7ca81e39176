#include "pool/mark.hpp"

#include <algorithm>

namespace pool {

KeyMark KeyMark::cooling(util::TimePoint now, util::Millis delay, int status, std::string reason) {
  return KeyMark{MarkKind::cooling, now, now + delay, status, std::move(reason)};
}

KeyMark KeyMark::disabled(util::TimePoint now, int status, std::string reason) {
  return KeyMark{MarkKind::disabled, now, now, status, std::move(reason)};
}

util::Millis cooldown_left(const KeyMark& mark, util::TimePoint now) {
  if (mark.kind != MarkKind::cooling) {
    return util::Millis{0};
  }
  auto left = mark.until - now;
  auto full = std::max(mark.until - mark.since, util::Millis{0});
  return std::clamp(left, util::Millis{0}, full);
}

bool is_disabled(const KeyMark& mark) { return mark.kind == MarkKind::disabled; }

bool is_cooling(const KeyMark& mark, util::TimePoint now) {
  return mark.kind == MarkKind::cooling && cooldown_left(mark, now).count() > 0;
}

bool is_usable(const std::optional<KeyMark>& mark, util::TimePoint now) {
  return !mark || (!is_disabled(*mark) && !is_cooling(*mark, now));
}

KeyMark merge_marks(const std::optional<KeyMark>& stored, const KeyMark& incoming) {
  if (!stored) {
    return incoming;
  }
  if (is_disabled(*stored) && !is_disabled(incoming)) {
    return *stored;
  }
  if (is_disabled(incoming)) {
    return is_disabled(*stored) ? *stored : incoming;
  }
  return stored->until > incoming.until ? *stored : incoming;
}

util::TimePoint clamp_time(long long ms_since_epoch) {
  return util::TimePoint(std::clamp(util::Millis{ms_since_epoch},
                                    k_earliest_time.time_since_epoch(),
                                    k_latest_time.time_since_epoch()));
}

util::Millis clamp_delay(long long ms) {
  return std::clamp(util::Millis{ms}, util::Millis{0}, k_max_cooldown);
}

bool is_suspect(const KeyMark& mark, util::TimePoint now) {
  // 2000-01-01T00:00:00Z: older than any bridge, or any API key.
  constexpr util::TimePoint k_plausible_since{util::Millis{946'684'800'000}};
  constexpr util::Millis k_day{86'400'000};
  constexpr util::Millis k_year{366 * 86'400'000LL};
  if (mark.since < k_plausible_since || mark.since > now + k_day) {
    return true;
  }
  return mark.kind == MarkKind::cooling && mark.until > now + k_year;
}

const char* to_string(MarkKind kind) { return kind == MarkKind::cooling ? "cooling" : "disabled"; }

} // namespace pool
