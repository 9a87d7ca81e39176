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

} // namespace app
