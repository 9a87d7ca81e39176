#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace util {

// White space as HTTP and our text formats use it: space, tab, CR, LF.
bool is_space(char c) noexcept;
std::string_view trim(std::string_view s) noexcept;
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b) noexcept;
bool starts_with_ci(std::string_view s, std::string_view prefix) noexcept;

// Splits on runs of spaces and tabs; no empty fields.
std::vector<std::string_view> split_fields(std::string_view s);

// Number of Unicode code points in a UTF-8 string (invalid bytes count as one
// each), and the byte offset of code point `index` (or s.size()).
std::size_t utf8_length(std::string_view s) noexcept;
std::size_t utf8_offset(std::string_view s, std::size_t index) noexcept;

// A plain decimal number: optional sign, digits, optional fraction. No
// exponent, no hex, no inf/nan, nothing after it.
std::optional<double> parse_decimal(std::string_view s) noexcept;

// "2.5", "3", "0.001": shortest fixed notation for a non-negative amount with
// at most three decimals.
std::string format_decimal_3(double value);

} // namespace util
