#include "upstream/text_delta.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>

namespace upstream {

namespace {

constexpr std::string_view k_head = R"({"type":"content_block_delta","index":)";
constexpr std::string_view k_middle = R"(,"delta":{"type":"text_delta","text":")";
constexpr std::string_view k_tail = "}}";

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

bool read_hex4(std::string_view s, std::size_t pos, unsigned& value) {
  if (pos + 4 > s.size()) {
    return false;
  }
  value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    int digit = hex_value(s[pos + i]);
    if (digit < 0) {
      return false;
    }
    value = value * 16 + static_cast<unsigned>(digit);
  }
  return true;
}

void append_utf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Decodes the JSON string whose body starts at `pos` (after the opening
// quote). Returns the position after the closing quote, or npos when the
// string is not one the fast path is sure about (the caller then falls
// back to the full parser, which has the last word).
// Bytes that end a run of plain string content: the quote, the backslash,
// control bytes and everything outside ASCII.
constexpr auto k_stops = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[static_cast<std::size_t>(c)] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
  }
  return table;
}();

// Whether any of the eight bytes of `word` stops a plain run. Exact, not a
// heuristic: each test is the "has a byte less than n" bit trick.
bool has_stop(std::uint64_t word) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  auto has_zero = [&](std::uint64_t v) { return (v - ones) & ~v & highs; };
  std::uint64_t quote = has_zero(word ^ (ones * '"'));
  std::uint64_t backslash = has_zero(word ^ (ones * '\\'));
  std::uint64_t control = (word - ones * 0x20) & ~word & highs;
  return (quote | backslash | control | (word & highs)) != 0;
}

// The length of the well-formed UTF-8 sequence at s[pos] (RFC 3629 §4, the
// rules JSON parsers apply), or 0 when it is not one.
std::size_t utf8_sequence(std::string_view s, std::size_t pos) {
  auto at = [&](std::size_t i) { return pos + i < s.size() ? static_cast<unsigned char>(s[pos + i]) : 0; };
  auto tail = [&](std::size_t i) { return at(i) >= 0x80 && at(i) <= 0xBF; };
  unsigned char lead = at(0);
  if (lead >= 0xC2 && lead <= 0xDF) {
    return tail(1) ? 2 : 0;
  }
  if (lead >= 0xE0 && lead <= 0xEF) {
    unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;
    unsigned char high = lead == 0xED ? 0x9F : 0xBF;
    return at(1) >= low && at(1) <= high && tail(2) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    unsigned char low = lead == 0xF0 ? 0x90 : 0x80;
    unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;
    return at(1) >= low && at(1) <= high && tail(2) && tail(3) ? 4 : 0;
  }
  return 0;
}

std::size_t decode_string(std::string_view s, std::size_t pos, std::string& out) {
  while (pos < s.size()) {
    // Copy the run of plain bytes in one go, eight bytes at a time.
    std::size_t run = pos;
    while (run + 8 <= s.size()) {
      std::uint64_t word;
      std::memcpy(&word, s.data() + run, 8);
      if (has_stop(word)) {
        break;
      }
      run += 8;
    }
    while (run < s.size() && !k_stops[static_cast<unsigned char>(s[run])]) {
      ++run;
    }
    out.append(s.substr(pos, run - pos));
    pos = run;
    if (pos >= s.size()) {
      return std::string_view::npos;
    }
    char c = s[pos];
    if (c == '"') {
      return pos + 1;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      std::size_t length = utf8_sequence(s, pos);
      if (length == 0) {
        return std::string_view::npos; // invalid UTF-8: the full parser refuses it
      }
      out.append(s.substr(pos, length));
      pos += length;
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20) {
      return std::string_view::npos; // control bytes are invalid JSON
    }
    // An escape.
    if (pos + 1 >= s.size()) {
      return std::string_view::npos;
    }
    char e = s[pos + 1];
    pos += 2;
    switch (e) {
    case '"': out += '"'; break;
    case '\\': out += '\\'; break;
    case '/': out += '/'; break;
    case 'b': out += '\b'; break;
    case 'f': out += '\f'; break;
    case 'n': out += '\n'; break;
    case 'r': out += '\r'; break;
    case 't': out += '\t'; break;
    case 'u': {
      unsigned code = 0;
      if (!read_hex4(s, pos, code)) {
        return std::string_view::npos;
      }
      pos += 4;
      if (code >= 0xD800 && code <= 0xDBFF) {
        unsigned low = 0;
        if (pos + 6 > s.size() || s[pos] != '\\' || s[pos + 1] != 'u' || !read_hex4(s, pos + 2, low) ||
            low < 0xDC00 || low > 0xDFFF) {
          return std::string_view::npos;
        }
        pos += 6;
        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
      } else if (code >= 0xDC00 && code <= 0xDFFF) {
        return std::string_view::npos;
      }
      append_utf8(out, code);
      break;
    }
    default:
      return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

} // namespace

DeltaKind decode_text_delta_slow(std::string_view data, std::string& text) {
  auto parsed = nlohmann::json::parse(data, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return DeltaKind::malformed;
  }
  auto delta = parsed.find("delta");
  if (delta == parsed.end() || !delta->is_object()) {
    return DeltaKind::malformed;
  }
  auto type = delta->find("type");
  if (type == delta->end() || !type->is_string() || type->get_ref<const std::string&>() != "text_delta") {
    return DeltaKind::other;
  }
  auto value = delta->find("text");
  if (value == delta->end() || !value->is_string()) {
    return DeltaKind::malformed;
  }
  text = value->get<std::string>();
  return DeltaKind::text;
}

DeltaKind decode_text_delta(std::string_view data, std::string& text) {
  text.clear();
  return append_text_delta(data, text);
}

DeltaKind append_text_delta(std::string_view data, std::string& out) {
  if (data.substr(0, k_head.size()) == k_head) {
    std::size_t pos = k_head.size();
    std::size_t digits = pos;
    while (digits < data.size() && data[digits] >= '0' && data[digits] <= '9') {
      ++digits;
    }
    bool index_ok = digits > pos && (data[pos] != '0' || digits == pos + 1);
    if (index_ok && data.substr(digits, k_middle.size()) == k_middle) {
      std::size_t mark = out.size();
      std::size_t end = decode_string(data, digits + k_middle.size(), out);
      if (end != std::string_view::npos && data.substr(end) == k_tail) {
        return DeltaKind::text;
      }
      out.resize(mark); // not sure: undo, and let the full parser decide
    }
  }
  std::string text;
  DeltaKind kind = decode_text_delta_slow(data, text);
  if (kind == DeltaKind::text) {
    out += text;
  }
  return kind;
}

} // namespace upstream
