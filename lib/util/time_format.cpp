#include "util/time_format.hpp"

#include "util/strings.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <fmt/format.h>

namespace util {

using namespace std::chrono;

namespace {

// A little cursor over the text, for the fixed layouts below.
class Scanner {
public:
  explicit Scanner(std::string_view text) : m_text(text) {}

  bool literal(std::string_view expected) {
    if (m_text.substr(m_pos, expected.size()) != expected) {
      return false;
    }
    m_pos += expected.size();
    return true;
  }
  // Exactly `width` digits, or between 1 and `width` when `exact` is false.
  std::optional<int> number(std::size_t width, bool exact = true) {
    int value = 0;
    std::size_t n = 0;
    while (n < width && m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9') {
      value = value * 10 + (m_text[m_pos] - '0');
      ++m_pos;
      ++n;
    }
    if (n == 0 || (exact && n != width)) {
      return std::nullopt;
    }
    return value;
  }
  std::string_view word() {
    std::size_t start = m_pos;
    while (m_pos < m_text.size() && ((m_text[m_pos] >= 'A' && m_text[m_pos] <= 'Z') ||
                                     (m_text[m_pos] >= 'a' && m_text[m_pos] <= 'z'))) {
      ++m_pos;
    }
    return m_text.substr(start, m_pos - start);
  }
  bool at_end() const { return m_pos == m_text.size(); }
  char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }
  void skip() { ++m_pos; }

private:
  std::string_view m_text;
  std::size_t m_pos = 0;
};

constexpr std::array<std::string_view, 12> k_months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> k_short_days = {"Mon", "Tue", "Wed", "Thu",
                                                          "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> k_long_days = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

std::optional<int> month_number(std::string_view name) {
  for (std::size_t i = 0; i < k_months.size(); ++i) {
    if (k_months[i] == name) {
      return static_cast<int>(i) + 1;
    }
  }
  return std::nullopt;
}

template <std::size_t N>
bool is_one_of(std::string_view word, const std::array<std::string_view, N>& names) {
  for (auto name : names) {
    if (name == word) {
      return true;
    }
  }
  return false;
}

std::optional<TimePoint> make_time(int y, int mon, int d, int h, int min, int s, int ms = 0) {
  year_month_day date{year{y}, month{static_cast<unsigned>(mon)}, day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || min > 59 || s > 60) {
    return std::nullopt;
  }
  auto t = sys_days{date} + hours{h} + minutes{min} + seconds{s} + milliseconds{ms};
  return time_point_cast<Millis>(t);
}

// "HH:MM:SS"
bool clock_time(Scanner& in, int& h, int& m, int& s) {
  auto hh = in.number(2);
  if (!hh || !in.literal(":")) {
    return false;
  }
  auto mm = in.number(2);
  if (!mm || !in.literal(":")) {
    return false;
  }
  auto ss = in.number(2);
  if (!ss) {
    return false;
  }
  h = *hh;
  m = *mm;
  s = *ss;
  return true;
}

std::optional<TimePoint> parse_imf_fixdate(std::string_view text) {
  // Sun, 06 Nov 1994 08:49:37 GMT
  Scanner in(text);
  if (!is_one_of(in.word(), k_short_days) || !in.literal(", ")) {
    return std::nullopt;
  }
  auto d = in.number(2);
  if (!d || !in.literal(" ")) {
    return std::nullopt;
  }
  auto mon = month_number(in.word());
  if (!mon || !in.literal(" ")) {
    return std::nullopt;
  }
  auto y = in.number(4);
  int h = 0, m = 0, s = 0;
  if (!y || !in.literal(" ") || !clock_time(in, h, m, s) || !in.literal(" GMT") || !in.at_end()) {
    return std::nullopt;
  }
  return make_time(*y, *mon, *d, h, m, s);
}

std::optional<TimePoint> parse_rfc850(std::string_view text, TimePoint now) {
  // Sunday, 06-Nov-94 08:49:37 GMT
  Scanner in(text);
  if (!is_one_of(in.word(), k_long_days) || !in.literal(", ")) {
    return std::nullopt;
  }
  auto d = in.number(2);
  if (!d || !in.literal("-")) {
    return std::nullopt;
  }
  auto mon = month_number(in.word());
  if (!mon || !in.literal("-")) {
    return std::nullopt;
  }
  auto yy = in.number(2);
  int h = 0, m = 0, s = 0;
  if (!yy || !in.literal(" ") || !clock_time(in, h, m, s) || !in.literal(" GMT") || !in.at_end()) {
    return std::nullopt;
  }
  // RFC 9110: a two-digit year that appears to be more than 50 years in the
  // future is taken as the most recent past year with those digits.
  int this_year = static_cast<int>(year_month_day{floor<days>(now)}.year());
  int y = (this_year / 100) * 100 + *yy;
  if (y > this_year + 50) {
    y -= 100;
  }
  return make_time(y, *mon, *d, h, m, s);
}

std::optional<TimePoint> parse_asctime(std::string_view text) {
  // Sun Nov  6 08:49:37 1994
  Scanner in(text);
  if (!is_one_of(in.word(), k_short_days) || !in.literal(" ")) {
    return std::nullopt;
  }
  auto mon = month_number(in.word());
  if (!mon || !in.literal(" ")) {
    return std::nullopt;
  }
  if (in.peek() == ' ') {
    in.skip();
  }
  auto d = in.number(2, false);
  int h = 0, m = 0, s = 0;
  if (!d || !in.literal(" ") || !clock_time(in, h, m, s) || !in.literal(" ")) {
    return std::nullopt;
  }
  auto y = in.number(4);
  if (!y || !in.at_end()) {
    return std::nullopt;
  }
  return make_time(*y, *mon, *d, h, m, s);
}

} // namespace

std::string format_rfc3339(TimePoint t) {
  auto day_point = floor<days>(t);
  year_month_day date{day_point};
  hh_mm_ss<Millis> tod{t - day_point};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     tod.hours().count(), tod.minutes().count(), tod.seconds().count(),
                     tod.subseconds().count());
}

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
  Scanner in(text);
  auto y = in.number(4);
  if (!y || !in.literal("-")) {
    return std::nullopt;
  }
  auto mon = in.number(2);
  if (!mon || !in.literal("-")) {
    return std::nullopt;
  }
  auto d = in.number(2);
  if (!d || !(in.literal("T") || in.literal("t") || in.literal(" "))) {
    return std::nullopt;
  }
  int h = 0, m = 0, s = 0;
  if (!clock_time(in, h, m, s)) {
    return std::nullopt;
  }
  int ms = 0;
  if (in.literal(".")) {
    int scale = 100;
    bool any = false;
    while (in.peek() >= '0' && in.peek() <= '9') {
      ms += (in.peek() - '0') * scale;
      scale /= 10;
      in.skip();
      any = true;
    }
    if (!any) {
      return std::nullopt;
    }
  }
  int offset_minutes = 0;
  if (!(in.literal("Z") || in.literal("z"))) {
    char sign = in.peek();
    if (sign != '+' && sign != '-') {
      return std::nullopt;
    }
    in.skip();
    auto oh = in.number(2);
    if (!oh || !in.literal(":")) {
      return std::nullopt;
    }
    auto om = in.number(2);
    if (!om) {
      return std::nullopt;
    }
    offset_minutes = (sign == '-' ? -1 : 1) * (*oh * 60 + *om);
  }
  if (!in.at_end()) {
    return std::nullopt;
  }
  auto t = make_time(*y, *mon, *d, h, m, s, ms);
  if (!t) {
    return std::nullopt;
  }
  return *t - minutes{offset_minutes};
}

std::optional<TimePoint> parse_http_date(std::string_view text) {
  text = trim(text);
  if (auto t = parse_imf_fixdate(text)) {
    return t;
  }
  auto now = time_point_cast<Millis>(system_clock::now());
  if (auto t = parse_rfc850(text, now)) {
    return t;
  }
  return parse_asctime(text);
}

std::string format_delay(Millis delay) {
  auto total = (delay.count() + 999) / 1000;
  if (total < 0) {
    total = 0;
  }
  // Written with to_chars rather than a format call: `keys status` writes
  // one for every cooling key, and fmt::format was half its table's cost.
  char text[32];
  char* const end = text + sizeof text;
  auto two_digits = [](char* at, long long value) {
    at[0] = static_cast<char>('0' + value / 10);
    at[1] = static_cast<char>('0' + value % 10);
    return at + 2;
  };
  char* at = nullptr;
  if (total < 60) {
    at = std::to_chars(text, end, total).ptr;
    *at++ = 's';
  } else if (total < 3600) {
    at = std::to_chars(text, end, total / 60).ptr;
    *at++ = 'm';
    at = two_digits(at, total % 60);
    *at++ = 's';
  } else {
    auto minutes_up = (total + 59) / 60;
    at = std::to_chars(text, end, minutes_up / 60).ptr;
    *at++ = 'h';
    at = two_digits(at, minutes_up % 60);
    *at++ = 'm';
  }
  return std::string(text, at);
}

} // namespace util
