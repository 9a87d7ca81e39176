#pragma once

#include "keys/key.hpp"
#include "pool/key_marks.hpp"
#include "util/clock.hpp"

#include <string>

namespace app {

// Why a key cannot serve now, in the words of -v and `keys status -v`:
// "disabled (401)", "spend limit until 2026-12-01T00:00:00.000Z",
// "billing problem until …", "cooling for claude-opus-4-1 for 41s", or
// "cooling for 41s" for a key-wide cooldown.
std::string describe_block(const pool::Block& block, util::TimePoint now);

// The one line said on stderr without -v when a mark will keep a key out of
// every later walk, silently (docs/contract.md, keys): a refusal ("key
// primary (sk-a...Q3xA) was refused (401 authentication_error) and is
// disabled until re-enabled: bridge keys reset primary"), a spend limit or a
// billing problem (with its end as a date, and the same way back). Empty
// for any other mark: a cooldown ends by itself, soon.
std::string lasting_mark_warning(const keys::Key& key, const pool::KeyMark& mark);

} // namespace app
