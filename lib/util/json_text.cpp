#include "util/json_text.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace util {

namespace {

constexpr bool k_little_endian = std::endian::native == std::endian::little;
constexpr std::uint64_t k_ones = 0x0101010101010101;

std::uint64_t load8(const char* p) {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

} // namespace

// A byte that ends a plain run of string text: the closing quote, a
// backslash, a control character (which JSON forbids raw) or the first byte
// of a non-ASCII character (which must be checked as UTF-8).
static bool is_special(char c) {
  auto u = static_cast<unsigned char>(c);
  return u == '"' || u == '\\' || u < 0x20 || u >= 0x80;
}

// The first special byte in [p, end), or end. Strings are most of a state
// file, so this is the scanner's inner loop: sixteen bytes at a time with
// SSE2 (a signed compare with 0x20 catches the control characters and the
// bytes from 0x80 up at once), then eight at a time in a 64-bit word: for
// each test there, the lowest byte flagged by the well-known "has a zero
// byte" trick is exact (a borrow only runs upwards from a byte that is itself
// flagged), and on a little-endian machine the lowest byte comes first.
const char* find_json_special(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quotes = _mm_set1_epi8('"');
  const __m128i backslashes = _mm_set1_epi8('\\');
  const __m128i spaces = _mm_set1_epi8(' ');
  for (; end - p >= 16; p += 16) {
    __m128i bytes = _mm_loadu_si128(static_cast<const __m128i*>(static_cast<const void*>(p)));
    __m128i hits = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(bytes, quotes), _mm_cmpeq_epi8(bytes, backslashes)),
        _mm_cmplt_epi8(bytes, spaces));
    if (int mask = _mm_movemask_epi8(hits); mask != 0) {
      return p + std::countr_zero(static_cast<unsigned>(mask));
    }
  }
#endif
  if constexpr (k_little_endian) {
    constexpr std::uint64_t k_highs = k_ones * 0x80;
    for (; end - p >= 8; p += 8) {
      std::uint64_t word = load8(p);
      std::uint64_t quote = word ^ (k_ones * '"');
      std::uint64_t backslash = word ^ (k_ones * '\\');
      std::uint64_t hits = ((quote - k_ones) & ~quote) | ((backslash - k_ones) & ~backslash) |
                           ((word - k_ones * 0x20) & ~word) | word;
      hits &= k_highs;
      if (hits != 0) {
        return p + std::countr_zero(hits) / 8;
      }
    }
  }
  while (p != end && !is_special(*p)) {
    ++p;
  }
  return p;
}

// The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
// forms, no surrogates, nothing past U+10FFFF), or 0 if it is ill-formed or
// cut short. This is the table nlohmann's lexer checks.
std::size_t utf8_sequence(const char* p, const char* end) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(p[i]); };
  unsigned lead = byte(0);
  std::size_t length = 0;
  unsigned low = 0x80;
  unsigned high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    low = lead == 0xE0 ? 0xA0 : low;
    high = lead == 0xED ? 0x9F : high;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    low = lead == 0xF0 ? 0x90 : low;
    high = lead == 0xF4 ? 0x8F : high;
  } else {
    return 0;
  }
  if (static_cast<std::size_t>(end - p) < length || byte(1) < low || byte(1) > high) {
    return 0;
  }
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) {
      return 0;
    }
  }
  return length;
}

void append_utf8(std::string& out, unsigned code_point) {
  auto put = [&](unsigned value) { out += static_cast<char>(value); };
  if (code_point < 0x80) {
    put(code_point);
  } else if (code_point < 0x800) {
    put(0xC0 | (code_point >> 6));
    put(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    put(0xE0 | (code_point >> 12));
    put(0x80 | ((code_point >> 6) & 0x3F));
    put(0x80 | (code_point & 0x3F));
  } else {
    put(0xF0 | (code_point >> 18));
    put(0x80 | ((code_point >> 12) & 0x3F));
    put(0x80 | ((code_point >> 6) & 0x3F));
    put(0x80 | (code_point & 0x3F));
  }
}

namespace {
// The four hex digits at p (p + 4 <= end is checked by the caller), or -1.
int hex4(const char* p) {
  int value = 0;
  for (int i = 0; i < 4; ++i) {
    char c = p[i];
    int digit = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
    if (digit < 0) {
      return -1;
    }
    value = value * 16 + digit;
  }
  return value;
}
} // namespace

const char* decode_json_escape(const char* p, const char* end, std::string& out) {
  if (p == end) {
    return nullptr;
  }
  switch (*p++) {
  case '"': out += '"'; return p;
  case '\\': out += '\\'; return p;
  case '/': out += '/'; return p;
  case 'b': out += '\b'; return p;
  case 'f': out += '\f'; return p;
  case 'n': out += '\n'; return p;
  case 'r': out += '\r'; return p;
  case 't': out += '\t'; return p;
  case 'u': break;
  default: return nullptr;
  }
  int unit = end - p >= 4 ? hex4(p) : -1;
  if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF)) {
    return nullptr; // a low surrogate must follow a high one
  }
  p += 4;
  auto code_point = static_cast<unsigned>(unit);
  if (unit >= 0xD800 && unit <= 0xDBFF) {
    int low = end - p >= 6 && p[0] == '\\' && p[1] == 'u' ? hex4(p + 2) : -1;
    if (low < 0xDC00 || low > 0xDFFF) {
      return nullptr;
    }
    p += 6;
    code_point = 0x10000 + ((code_point - 0xD800) << 10) + (static_cast<unsigned>(low) - 0xDC00);
  }
  append_utf8(out, code_point);
  return p;
}

} // namespace util
