#pragma once

#include <cstddef>
#include <string>

namespace util {

// Byte-level helpers for reading JSON strings fast, shared by the state file
// scanner and the streaming text-delta decoder: both scan long runs of plain
// string text and must accept exactly the UTF-8 that a JSON parser accepts.

// The first byte in [p, end) that ends a plain run of JSON string text — a
// quote, a backslash, a control character or a non-ASCII byte — or `end`.
const char* find_json_special(const char* p, const char* end);

// The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
// forms, no surrogates, nothing past U+10FFFF), or 0 when it is ill-formed or
// cut short by `end`.
std::size_t utf8_sequence(const char* p, const char* end);

// Decodes one JSON escape onto `out`: `p` points just after the backslash.
// Returns the position after the escape, or nullptr when it is not a valid
// one (an unknown letter, bad hex digits, a lone or unpaired surrogate).
const char* decode_json_escape(const char* p, const char* end, std::string& out);

// Appends a code point (at most U+10FFFF) as UTF-8.
void append_utf8(std::string& out, unsigned code_point);

} // namespace util
