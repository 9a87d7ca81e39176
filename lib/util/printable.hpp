#pragma once

#include <string>
#include <string_view>

namespace util {

// Text from outside (the state file or Redis, a key file's labels, an
// upstream's error type, message, request-id or model, a file name) made
// safe to show on a terminal. A terminal acts on C0 controls (ESC, BEL, CR,
// LF...), DEL, and C1 controls, which it may take both as UTF-8
// (U+0080-U+009F: U+009B is a one-character CSI) and as single 8-bit bytes
// (0x9B); and it shows text in another order around a bidirectional control
// (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), so that what
// follows reads differently from what it is. Each of these, and every byte
// that is not part of a valid UTF-8 sequence, is shown as "\xNN" (the bytes
// of a C1 character as "\xc2\x9b", of U+202E as "\xe2\x80\xae"), so nothing
// that arrives can move the cursor, retitle the window, forge a second line
// or reorder a line. A backslash stays as it is: the escapes are for people
// to read, not to be decoded. Other valid UTF-8 passes unchanged.
std::string printable(std::string_view text);

// A JSON document with every C1 or bidirectional control (the same
// characters as printable() escapes) in its strings written as \uXXXX.
// nlohmann_json writes them as raw UTF-8, which a terminal may act on; in
// valid JSON such characters can only occur inside strings, so replacing
// them is lossless. Expects UTF-8 text (as dump() with the replace handler
// gives); bytes that are not UTF-8 are left as they are.
std::string json_without_controls(std::string json);

} // namespace util
