#include "state/json_scan.hpp"

#include "util/json_text.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <system_error>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace state {

namespace {

constexpr bool k_little_endian = std::endian::native == std::endian::little;
constexpr std::uint64_t k_ones = 0x0101010101010101;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::uint64_t load8(const char* p) {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}


} // namespace

// The indentation of pretty-printed JSON makes runs of spaces: those go eight
// at a time (the first byte that is not a space is the lowest nonzero byte of
// the word xor spaces).
void JsonScanner::skip_whitespace() {
  while (m_p != m_end && static_cast<unsigned char>(*m_p) <= ' ') {
    char c = *m_p;
    if (c == ' ' && k_little_endian && m_end - m_p >= 8) {
      std::uint64_t other = load8(m_p) ^ (k_ones * ' ');
      m_p += other == 0 ? 8 : std::countr_zero(other) / 8;
    } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      ++m_p;
    } else {
      return;
    }
  }
}

// The rest of a string after its opening quote: the common case, a plain run
// up to the closing quote, here; the rest in string_slow().
bool JsonScanner::string_body(std::string_view& out, std::string& scratch) {
  const char* start = m_p;
  m_p = util::find_json_special(m_p, m_end);
  if (m_p != m_end && *m_p == '"') {
    out = std::string_view(start, static_cast<std::size_t>(m_p - start));
    ++m_p;
    return true;
  }
  return string_slow(start, out, scratch);
}

char JsonScanner::peek() {
  skip_whitespace();
  return m_p == m_end ? '\0' : *m_p;
}

bool JsonScanner::begin_document() {
  if (m_p != m_end && static_cast<unsigned char>(*m_p) == 0xEF) {
    if (m_end - m_p < 3 || std::memcmp(m_p, "\xEF\xBB\xBF", 3) != 0) {
      return fail();
    }
    m_p += 3;
  }
  skip_whitespace();
  return true;
}

bool JsonScanner::end_document() {
  skip_whitespace();
  // nlohmann's lexer reads a NUL byte between tokens as the end of the input.
  return m_p == m_end || *m_p == '\0' ? true : fail();
}

bool JsonScanner::enter_object() {
  if (m_depth >= m_max_depth) {
    m_status = Status::too_deep;
    return false;
  }
  ++m_depth;
  ++m_p; // '{'
  m_object_entered = true;
  return true;
}

bool JsonScanner::next_member(std::string_view& name, std::string& scratch) {
  skip_whitespace();
  if (m_p == m_end) {
    return fail();
  }
  if (m_object_entered) {
    m_object_entered = false;
    if (*m_p == '}') {
      ++m_p;
      --m_depth;
      return false;
    }
  } else {
    char c = *m_p++;
    if (c == '}') {
      --m_depth;
      return false;
    }
    if (c != ',') {
      return fail();
    }
    skip_whitespace();
  }
  return member_name(name, scratch);
}

// The name of a member and the ':' after it; the cursor is at the name.
bool JsonScanner::member_name(std::string_view& name, std::string& scratch) {
  if (m_p == m_end || *m_p != '"') {
    return fail();
  }
  ++m_p;
  if (!string_body(name, scratch)) {
    return false;
  }
  skip_whitespace();
  if (m_p == m_end || *m_p != ':') {
    return fail();
  }
  ++m_p;
  return true;
}

bool JsonScanner::string(std::string_view& out, std::string& scratch) {
  ++m_p; // '"'
  return string_body(out, scratch);
}

// A string past its plain start: `m_p` is at the first special byte after
// `start`, the first byte of the string.
bool JsonScanner::string_slow(const char* start, std::string_view& out, std::string& scratch) {
  bool decoded = false; // an escape was seen: the text so far is in scratch
  while (true) {
    if (m_p == m_end) {
      return fail();
    }
    auto c = static_cast<unsigned char>(*m_p);
    if (c == '"') {
      out = decoded ? std::string_view(scratch)
                    : std::string_view(start, static_cast<std::size_t>(m_p - start));
      ++m_p;
      return true;
    }
    if (c == '\\') {
      if (!decoded) {
        scratch.assign(start, m_p);
        decoded = true;
      }
      ++m_p;
      if (!escape(scratch)) {
        return fail();
      }
    } else if (c < 0x20) {
      return fail();
    } else {
      std::size_t length = util::utf8_sequence(m_p, m_end);
      if (length == 0) {
        return fail();
      }
      if (decoded) {
        scratch.append(m_p, length);
      }
      m_p += length;
    }
    const char* run = m_p;
    m_p = util::find_json_special(m_p, m_end);
    if (decoded) {
      scratch.append(run, m_p);
    }
  }
}

// One escape after its backslash, decoded onto `out`.
bool JsonScanner::escape(std::string& out) {
  const char* next = util::decode_json_escape(m_p, m_end, out);
  if (next == nullptr) {
    return false;
  }
  m_p = next;
  return true;
}

bool JsonScanner::number(JsonNumber& out) {
  const char* start = m_p;
  bool negative = *m_p == '-';
  if (negative) {
    ++m_p;
  }
  if (m_p == m_end || !is_digit(*m_p)) {
    return fail();
  }
  constexpr auto k_max = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t magnitude = 0;
  bool floating = false; // a fraction, an exponent, or too large for 64 bits
  if (*m_p == '0') {
    ++m_p; // no leading zeros: a digit after this one ends the number
  } else {
    for (; m_p != m_end && is_digit(*m_p); ++m_p) {
      auto digit = static_cast<unsigned>(*m_p - '0');
      if (magnitude > (k_max - digit) / 10) {
        floating = true;
      } else {
        magnitude = magnitude * 10 + digit;
      }
    }
  }
  auto digits = [&] {
    const char* first = m_p;
    while (m_p != m_end && is_digit(*m_p)) {
      ++m_p;
    }
    return m_p != first;
  };
  if (m_p != m_end && *m_p == '.') {
    ++m_p;
    if (!digits()) {
      return fail();
    }
    floating = true;
  }
  if (m_p != m_end && (*m_p == 'e' || *m_p == 'E')) {
    ++m_p;
    if (m_p != m_end && (*m_p == '+' || *m_p == '-')) {
      ++m_p;
    }
    if (!digits()) {
      return fail();
    }
    floating = true;
  }
  if (!floating && !negative) {
    out = {JsonNumber::Kind::unsigned_integer, magnitude};
    return true;
  }
  if (!floating && magnitude <= (std::uint64_t{1} << 63)) {
    out = {JsonNumber::Kind::signed_integer, 0 - magnitude};
    return true;
  }
  // nlohmann refuses a number that overflows a double. from_chars tells a
  // finite value apart; out of range may be an overflow (refused) or an
  // underflow (accepted as 0 or a denormal), which only strtod decides.
  double value = 0;
  auto [end, error] = std::from_chars(start, m_p, value);
  if (error != std::errc{} || end != m_p || !std::isfinite(value)) {
    m_status = Status::unsure;
    return false;
  }
  out = {JsonNumber::Kind::floating, 0};
  return true;
}

bool JsonScanner::literal(std::string_view word) {
  if (static_cast<std::size_t>(m_end - m_p) < word.size() ||
      std::memcmp(m_p, word.data(), word.size()) != 0) {
    return fail();
  }
  m_p += word.size();
  return true;
}

bool JsonScanner::skip_value() {
  // Iterative: m_nesting holds the closing byte of each open array or object.
  m_nesting.clear();
  while (true) {
    skip_whitespace();
    if (m_p == m_end) {
      return fail();
    }
    bool scalar = true;
    switch (*m_p) {
    case '{':
    case '[': {
      if (static_cast<std::size_t>(m_depth) + m_nesting.size() >=
          static_cast<std::size_t>(m_max_depth)) {
        m_status = Status::too_deep;
        return false;
      }
      char close = *m_p == '{' ? '}' : ']';
      ++m_p;
      skip_whitespace();
      if (m_p != m_end && *m_p == close) {
        ++m_p;
        break;
      }
      m_nesting += close;
      scalar = false;
      if (close == '}') {
        std::string_view name;
        if (!member_name(name, m_skipped)) {
          return false;
        }
      }
      break;
    }
    case '"': {
      std::string_view text;
      if (!string(text, m_skipped)) {
        return false;
      }
      break;
    }
    case 't':
      if (!literal("true")) {
        return false;
      }
      break;
    case 'f':
      if (!literal("false")) {
        return false;
      }
      break;
    case 'n':
      if (!literal("null")) {
        return false;
      }
      break;
    default: {
      JsonNumber ignored;
      if (*m_p != '-' && !is_digit(*m_p)) {
        return fail();
      }
      if (!number(ignored)) {
        return false;
      }
    }
    }
    if (!scalar) {
      continue; // the first element or member of a new container
    }
    // A value ended: close what it ends, up to the next element or member.
    while (true) {
      if (m_nesting.empty()) {
        return true;
      }
      skip_whitespace();
      if (m_p == m_end) {
        return fail();
      }
      char c = *m_p++;
      if (c == m_nesting.back()) {
        m_nesting.pop_back();
        continue;
      }
      if (c != ',') {
        return fail();
      }
      if (m_nesting.back() == '}') {
        skip_whitespace();
        std::string_view name;
        if (!member_name(name, m_skipped)) {
          return false;
        }
      }
      break;
    }
  }
}

} // namespace state
