#include "state/state_location.hpp"

#include "util/strings.hpp"

namespace state {

bool looks_like_url(std::string_view text) {
  auto lower = util::to_lower(text.substr(0, 8));
  if (lower.starts_with("redis:") || lower.starts_with("rediss:") || lower.starts_with("unix:")) {
    return true;
  }
  auto sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) {
    return false;
  }
  for (std::size_t i = 0; i < sep; ++i) {
    char c = text[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) {
      return false;
    }
  }
  return true;
}

util::Expected<StateLocation> parse_state_location(std::string_view text,
                                                   std::optional<std::string> env_password) {
  if (!looks_like_url(text)) {
    if (text.empty()) {
      return util::Expected<StateLocation>::failure("an empty path");
    }
    return StateLocation{std::string(text), std::nullopt};
  }
  auto target = parse_redis_url(text, std::move(env_password));
  if (!target) {
    return util::Expected<StateLocation>::failure(target.error());
  }
  return StateLocation{std::string(), std::move(*target)};
}

} // namespace state
