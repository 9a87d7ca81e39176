#pragma once

// What a key's label may be (docs/contract.md, "The key file"). A label is
// shown in every message, table and log line, and stored in the state: so
// it must be a name for people, never half a key or a secret pasted in the
// wrong place.

#include <cstddef>
#include <string>
#include <string_view>

namespace keys {

// The longest label, in bytes.
inline constexpr std::size_t k_max_label_length = 64;

// Why `label` cannot be a label, or "" when it can. A label is at most 64
// bytes of visible characters (UTF-8 allowed), without '=', not starting
// with "sk-" (a key split in two by a space), and without a run that reads
// as random (secret_like_run). The reasons never quote the label, which may
// be half a key.
std::string label_problem(std::string_view label);

// Whether `label` holds a run of 20 or more letters, digits, '-' and '_'
// that reads as random rather than as words. Each piece of the run between
// '-' and '_' is cut into words: a capital and the lower-case letters after
// it, a run of capitals, a run of lower-case letters, a run of digits. Names
// are made of words (TeamAlphaProdKey2024: Team Alpha Prod Key 2024, four
// characters a word); a random string falls apart into pieces of one or two
// (Q7fJ2kLm9Xp4: Q 7 f J 2 k Lm 9 Xp 4). So a run is secret-like when the
// words of its pieces of two words or more (at least 12 characters of them)
// average under 2.8 characters, or under 4 for a run of 32 or more (every
// common API key is that long, and names that long are made of longer
// words). A piece that is one word ("eu", "4", "a") is never held against a
// name.
bool secret_like_run(std::string_view label);

} // namespace keys
