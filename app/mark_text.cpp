#include "mark_text.hpp"

#include "util/time_format.hpp"

#include <fmt/format.h>

namespace app {

std::string describe_block(const pool::Block& block, util::TimePoint now) {
  const pool::KeyMark& mark = *block.mark;
  if (pool::is_disabled(mark)) {
    // The reason as recorded (the upstream's error type); printed through the
    // console, which shows control characters from the state file escaped.
    return mark.reason.empty() ? fmt::format("disabled ({})", mark.status)
                               : fmt::format("disabled ({} {})", mark.status, mark.reason);
  }
  auto left = pool::cooldown_left(mark, now);
  if (mark.reason == "spend_limit") {
    return "spend limit until " + util::format_rfc3339(now + left);
  }
  if (mark.reason == "billing") {
    return "billing problem until " + util::format_rfc3339(now + left);
  }
  if (block.scope.key_wide()) {
    return "cooling for " + util::format_delay(left);
  }
  return fmt::format("cooling for {} for {}", block.scope.model(), util::format_delay(left));
}

std::string lasting_mark_warning(const keys::Key& key, const pool::KeyMark& mark) {
  std::string why = mark.reason.empty() ? std::to_string(mark.status)
                                        : fmt::format("{} {}", mark.status, mark.reason);
  if (pool::is_disabled(mark)) {
    return fmt::format(
        "key {} ({}) was refused ({}) and is disabled until re-enabled: bridge keys reset {}",
        key.label, key.hint, why, key.label);
  }
  if (mark.reason == "spend_limit" || mark.reason == "billing") {
    return fmt::format("key {} ({}) {} ({}): it rests for every model until {}, or until "
                       "bridge keys reset {} once that is solved",
                       key.label, key.hint,
                       mark.reason == "billing" ? "has a billing problem"
                                                : "reached its spend limit",
                       why, util::format_rfc3339(mark.until), key.label);
  }
  return {};
}

} // namespace app
