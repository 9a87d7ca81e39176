#include "mock_buckets.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

namespace mock {

buckets::verdict buckets::take(const std::string& key, const std::string& model) {
  const auto now = clock::now();
  const double rate = static_cast<double>(m_capacity) / static_cast<double>(m_per_ms); // per ms
  std::lock_guard lock(m_mutex);
  auto [it, fresh] =
      m_levels.try_emplace(key + "\n" + model, level{static_cast<double>(m_capacity), now});
  level& l = it->second;
  if (!fresh) {
    const double elapsed = std::chrono::duration<double, std::milli>(now - l.at).count();
    l.tokens = std::min(static_cast<double>(m_capacity), l.tokens + elapsed * rate);
    l.at = now;
  }
  verdict v;
  v.limit = m_capacity;
  if (l.tokens >= 1.0) {
    l.tokens -= 1.0;
    v.allowed = true;
  } else {
    v.next_in_ms = static_cast<std::int64_t>(std::ceil((1.0 - l.tokens) / rate));
  }
  const auto unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  m_takes.push_back({unix_ms, key, model, l.tokens + (v.allowed ? 1.0 : 0.0), v.allowed ? 1 : 0});
  v.remaining = static_cast<std::int64_t>(std::floor(l.tokens));
  v.full_in_ms =
      static_cast<std::int64_t>(std::ceil((static_cast<double>(m_capacity) - l.tokens) / rate));
  return v;
}

nlohmann::ordered_json buckets::trace() {
  std::lock_guard lock(m_mutex);
  const double rate = static_cast<double>(m_capacity) / static_cast<double>(m_per_ms);
  return nlohmann::ordered_json{{"per_ms", rate}, {"limit", m_capacity}, {"takes", m_takes}};
}

std::string rfc3339_in(std::int64_t ms) {
  const auto when = std::chrono::system_clock::now() + std::chrono::milliseconds(ms);
  const auto total =
      std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(total / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(total % 1000));
  return buffer;
}

std::string http_date_now() {
  const std::time_t seconds =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buffer;
}

} // namespace mock
