#include "util/strings.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <string>

namespace util {

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

static char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    c = ascii_lower(c);
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) {
      return false;
    }
  }
  return true;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::vector<std::string_view> split_fields(std::string_view s) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) {
      ++i;
    }
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') {
      ++i;
    }
    if (i > start) {
      fields.push_back(s.substr(start, i - start));
    }
  }
  return fields;
}

static bool is_continuation(unsigned char c) noexcept { return (c & 0xC0) == 0x80; }

// Length in bytes of the UTF-8 sequence that starts at s[i]; an invalid or
// truncated sequence counts as a single byte so that every byte is covered.
static std::size_t sequence_length(std::string_view s, std::size_t i) noexcept {
  auto lead = static_cast<unsigned char>(s[i]);
  std::size_t n = lead < 0x80           ? 1
                  : (lead >> 5) == 0x6  ? 2
                  : (lead >> 4) == 0xE  ? 3
                  : (lead >> 3) == 0x1E ? 4
                                        : 1;
  if (i + n > s.size()) {
    return 1;
  }
  for (std::size_t k = 1; k < n; ++k) {
    if (!is_continuation(static_cast<unsigned char>(s[i + k]))) {
      return 1;
    }
  }
  return n;
}

std::size_t utf8_length(std::string_view s) noexcept {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size(); i += sequence_length(s, i)) {
    ++count;
  }
  return count;
}

std::size_t utf8_offset(std::string_view s, std::size_t index) noexcept {
  std::size_t i = 0;
  for (std::size_t k = 0; k < index && i < s.size(); ++k) {
    i += sequence_length(s, i);
  }
  return i;
}

std::optional<double> parse_decimal(std::string_view s) noexcept {
  if (s.empty()) {
    return std::nullopt;
  }
  bool negative = false;
  std::size_t i = 0;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    i = 1;
  }
  std::size_t start = i;
  bool digits = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    digits = true;
  }
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      digits = true;
    }
  }
  if (!digits || i != s.size()) {
    return std::nullopt;
  }
  // The syntax is checked above; strtod converts it to the nearest double.
  // (Summing digit * 0.1^k drifts: "0.3" became 0.30000000000000004, which
  // parse_retry_after then rounded up to 301 ms.) Not std::from_chars: the
  // part of the static libstdc++ that holds it refers to libm, which then
  // had to be loaded at every start (util/ceil_millis.hpp). bridge never
  // calls setlocale, so strtod's decimal point is '.'.
  std::string text(s.substr(start));
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(text.c_str(), &end);
  if (errno == ERANGE || end != text.c_str() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

std::string format_decimal_3(double value) {
  std::string text = fmt::format("{:.3f}", value);
  while (!text.empty() && text.back() == '0') {
    text.pop_back();
  }
  if (!text.empty() && text.back() == '.') {
    text.pop_back();
  }
  return text;
}

} // namespace util
