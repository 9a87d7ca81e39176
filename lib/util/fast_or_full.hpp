#pragma once

// The rule of every fast JSON reader of bridge (util/json_reader.hpp), apart
// from simdjson: the callers in bridge itself see only this, and the fast
// half arrives through the JSON plugin (util/json_plugin.hpp).
#include <utility>

namespace util {

// The rule itself: `fast()` returns std::optional<R>, empty when simdjson
// refused the text or could not judge it; `full()` returns R and decides
// every such text. Returns the fast verdict when there is one.
template <typename Fast, typename Full>
auto fast_or_full(Fast&& fast, Full&& full) -> decltype(full()) {
  if (auto verdict = std::forward<Fast>(fast)()) {
    return std::move(*verdict);
  }
  return std::forward<Full>(full)();
}

} // namespace util
