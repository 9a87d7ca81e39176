#include "util/printable.hpp"

namespace util {

namespace {

constexpr char k_hex[] = "0123456789abcdef";

void append_hex(std::string& out, unsigned char byte) {
  out += "\\x";
  out += k_hex[byte >> 4];
  out += k_hex[byte & 0xF];
}

// Length of the valid UTF-8 sequence at the start of `s` (RFC 3629: no
// overlong forms, no surrogates, nothing past U+10FFFF), or 0.
std::size_t utf8_sequence(std::string_view s) {
  auto at = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  auto continuation = [&](std::size_t i) { return i < s.size() && (at(i) & 0xC0) == 0x80; };
  unsigned char lead = at(0);
  if (lead >= 0xC2 && lead <= 0xDF) {
    return continuation(1) ? 2 : 0;
  }
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (!continuation(1) || !continuation(2)) {
      return 0;
    }
    if ((lead == 0xE0 && at(1) < 0xA0) || (lead == 0xED && at(1) > 0x9F)) {
      return 0; // overlong, or a UTF-16 surrogate
    }
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) {
      return 0;
    }
    if ((lead == 0xF0 && at(1) < 0x90) || (lead == 0xF4 && at(1) > 0x8F)) {
      return 0; // overlong, or past U+10FFFF
    }
    return 4;
  }
  return 0;
}

// The code point of the valid UTF-8 sequence of `length` bytes (1 to 4) at
// the start of `s`.
char32_t code_point(std::string_view s, std::size_t length) {
  auto at = [&](std::size_t i) { return static_cast<char32_t>(static_cast<unsigned char>(s[i])); };
  static constexpr char32_t k_lead_bits[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  char32_t value = at(0) & k_lead_bits[length];
  for (std::size_t i = 1; i < length; ++i) {
    value = (value << 6) | (at(i) & 0x3F);
  }
  return value;
}

// The one rule of what a terminal is never given as it is, beyond C0 and
// DEL: a C1 control (U+0080-U+009F; U+009B is a one-character CSI), or a
// bidirectional control, which makes a terminal that honours it show the
// text around it in another order (U+202E turns "txt.exe" into what reads
// as "exe.txt"): U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069.
bool hidden_control(char32_t c) {
  return (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

} // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    // A run of printable ASCII, most text's only run, is copied at once.
    std::size_t plain = i;
    while (plain < text.size() && static_cast<unsigned char>(text[plain]) >= 0x20 &&
           static_cast<unsigned char>(text[plain]) < 0x7F) {
      ++plain;
    }
    out.append(text, i, plain - i);
    i = plain;
    if (i == text.size()) {
      break;
    }
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      if (byte < 0x20 || byte == 0x7F) {
        append_hex(out, byte);
      } else {
        out += static_cast<char>(byte);
      }
      ++i;
      continue;
    }
    std::size_t length = utf8_sequence(text.substr(i));
    bool control = length != 0 && hidden_control(code_point(text.substr(i), length));
    if (length == 0 || control) {
      // A lone 8-bit byte (0x9B is CSI to some terminals), or each byte of
      // a C1 or bidirectional control.
      std::size_t count = control ? length : 1;
      for (std::size_t k = 0; k < count; ++k) {
        append_hex(out, static_cast<unsigned char>(text[i + k]));
      }
      i += count;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

std::string json_without_controls(std::string json) {
  std::string out;
  out.reserve(json.size());
  std::size_t i = 0;
  while (i < json.size()) {
    auto byte = static_cast<unsigned char>(json[i]);
    std::size_t length = byte < 0x80 ? 1 : utf8_sequence(std::string_view(json).substr(i));
    if (length > 1) {
      char32_t c = code_point(std::string_view(json).substr(i), length);
      if (hidden_control(c)) {
        out += "\\u";
        for (int shift = 12; shift >= 0; shift -= 4) {
          out += k_hex[(c >> shift) & 0xF];
        }
        i += length;
        continue;
      }
    }
    std::size_t count = length == 0 ? 1 : length;
    out.append(json, i, count);
    i += count;
  }
  return out;
}

} // namespace util
