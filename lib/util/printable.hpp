#pragma once

#include <string>
#include <string_view>

namespace util {

// Text from outside (the state file, an upstream's error type, message or
// request-id, a file name) made safe to show on a terminal. A terminal acts
// on C0 controls (ESC, BEL, CR, LF...), DEL, and C1 controls, which it may
// take both as UTF-8 (U+0080-U+009F: U+009B is a one-character CSI) and as
// single 8-bit bytes (0x9B). Each of these, and every byte that is not part
// of a valid UTF-8 sequence, is shown as "\xNN" (the bytes of a C1 character
// as "\xc2\x9b"), so nothing that arrives can move the cursor, retitle the
// window or forge a second line. A backslash stays as it is: the escapes are
// for people to read, not to be decoded. Other valid UTF-8 passes unchanged.
std::string printable(std::string_view text);

// A JSON document with every C1 control in its strings written as \u00XX.
// nlohmann_json writes U+0080-U+009F as raw UTF-8, which a terminal may act
// on; in valid JSON such bytes can only occur inside strings, so replacing
// them is lossless. Expects UTF-8 text (as dump() with the replace handler
// gives).
std::string json_without_c1(std::string json);

} // namespace util
