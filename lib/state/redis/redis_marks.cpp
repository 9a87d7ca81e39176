#include "state/redis/redis_marks.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace state {

namespace {

constexpr std::string_view k_key_scope = "key";
constexpr std::string_view k_model_scope = "model:";

// Where each part of a line is, in the order record.lua writes them.
enum Part : std::size_t {
  k_scope_part,
  k_kind_part,
  k_status_part,
  k_since_part,
  k_delay_part,
  k_label_part,
  k_hint_part,
  k_reason_part,
  k_parts
};

std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    char next = text[++i];
    out += next == 't' ? '\t' : next == 'n' ? '\n' : next;
  }
  return out;
}

long long number(std::string_view text) {
  long long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc{} && end == text.data() + text.size() ? value : 0;
}

void read_line(std::string_view line, long long server_now_ms, util::TimePoint now,
               pool::KeyMarks& into) {
  std::array<std::string_view, k_parts> parts;
  for (std::size_t i = 0; i + 1 < k_parts; ++i) {
    auto tab = line.find('\t');
    if (tab == std::string_view::npos) {
      return; // not a line of ours
    }
    parts[i] = line.substr(0, tab);
    line.remove_prefix(tab + 1);
  }
  parts[k_reason_part] = line;
  auto where = scope_of_field(unescape(parts[k_scope_part]));
  if (!where) {
    return; // a scope a newer version made: not ours to judge
  }
  // Whoever can write to the server can store any number: clamped before
  // the end is worked out, so that nothing overflows.
  long long since_ms = pool::clamp_time(number(parts[k_since_part])).time_since_epoch().count();
  long long delay_ms = pool::clamp_delay(number(parts[k_delay_part])).count();
  auto mark =
      to_mark(parts[k_kind_part], number(parts[k_status_part]), unescape(parts[k_reason_part]),
              since_ms, delay_ms, since_ms + delay_ms - server_now_ms, now);
  if (mark) {
    into.merge(*where, *mark);
  }
}

} // namespace

std::string escape_field(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
    case '\\':
      out += "\\\\";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\n':
      out += "\\n";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::optional<pool::Scope> scope_of_field(std::string_view name) {
  if (name == k_key_scope) {
    return pool::Scope::every_model();
  }
  if (name.starts_with(k_model_scope) && name.size() > k_model_scope.size()) {
    return pool::Scope::of_model(std::string(name.substr(k_model_scope.size())));
  }
  return std::nullopt;
}

std::optional<pool::KeyMark> to_mark(std::string_view kind, long long status, std::string reason,
                                     long long since_ms, long long delay_ms, long long left_ms,
                                     util::TimePoint now) {
  pool::KeyMark mark;
  mark.status = static_cast<int>(std::clamp(status, 0LL, 999LL));
  mark.reason = std::move(reason);
  if (kind == "disabled") {
    mark.kind = pool::MarkKind::disabled;
    mark.since = pool::clamp_time(since_ms);
    mark.until = mark.since;
    return mark;
  }
  if (kind != "cooling" || left_ms <= 0) {
    return std::nullopt; // ended on the way, or not ours
  }
  mark.kind = pool::MarkKind::cooling;
  util::Millis left = pool::clamp_delay(left_ms);
  mark.until = now + left;
  mark.since = mark.until - std::max(pool::clamp_delay(delay_ms), left);
  return mark;
}

void read_marks_value(std::string_view value, long long server_now_ms, util::TimePoint now,
                      pool::KeyMarks& into) {
  while (!value.empty()) {
    auto end = value.find('\n');
    read_line(value.substr(0, end), server_now_ms, now, into);
    value.remove_prefix(end == std::string_view::npos ? value.size() : end + 1);
  }
}

std::size_t count_mark_lines(std::string_view value) {
  std::size_t lines = 0;
  while (!value.empty()) {
    auto end = value.find('\n');
    lines += end == 0 ? 0 : 1;
    value.remove_prefix(end == std::string_view::npos ? value.size() : end + 1);
  }
  return lines;
}

} // namespace state
