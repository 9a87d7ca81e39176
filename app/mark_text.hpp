#pragma once

#include "pool/key_marks.hpp"
#include "util/clock.hpp"

#include <string>

namespace app {

// Why a key cannot serve now, in the words of -v and `keys status -v`:
// "disabled (401)", "spend limit until 2026-12-01T00:00:00.000Z",
// "billing problem until …", "cooling for claude-opus-4-1 for 41s", or
// "cooling for 41s" for a key-wide cooldown.
std::string describe_block(const pool::Block& block, util::TimePoint now);

} // namespace app
