#include "state/file/affinity_file.hpp"

#include "pool/mark.hpp"
#include "state/file/atomic_file.hpp"
#include "state/file/path_safety.hpp"
#include "state/file/side_file.hpp"
#include "state/file/state_paths.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <vector>

namespace state {

namespace {

// k_max_entries lines of at most a few hundred bytes; a longer file is not
// one we wrote, and is read as empty.
constexpr std::size_t k_max_size = 1024 * 1024;

// A holder is in for microseconds; one held longer (a stopped process) costs
// this remember only, never the request.
constexpr util::Millis k_lock_bound{100};

// The file, or nothing when it cannot be read or is too large to be ours.
std::string read_entries(int fd) {
  std::string text;
  return read_side_file(fd, k_max_size, text) ? text : std::string();
}

bool word(std::string_view text) {
  return !text.empty() && text.size() <= 128 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

} // namespace

std::map<std::string, pool::AffinityEntry> parse_affinities(std::string_view text) {
  std::map<std::string, pool::AffinityEntry> entries;
  while (!text.empty()) {
    auto end = text.find('\n');
    if (end == std::string_view::npos) {
      break; // a torn last line
    }
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    auto first = line.find(' ');
    auto second = first == std::string_view::npos ? first : line.find(' ', first + 1);
    if (second == std::string_view::npos) {
      continue;
    }
    std::string_view id = line.substr(0, first);
    std::string_view fingerprint = line.substr(first + 1, second - first - 1);
    std::string_view at = line.substr(second + 1);
    long long ms = 0;
    auto [ptr, ec] = std::from_chars(at.data(), at.data() + at.size(), ms);
    if (!word(id) || !word(fingerprint) || ec != std::errc() || ptr != at.data() + at.size()) {
      continue;
    }
    entries[std::string(id)] = pool::AffinityEntry{std::string(fingerprint), pool::clamp_time(ms)};
  }
  return entries;
}

std::string serialize_affinities(const std::map<std::string, pool::AffinityEntry>& entries,
                                 util::TimePoint now) {
  std::vector<std::pair<const std::string*, const pool::AffinityEntry*>> alive;
  for (const auto& [id, entry] : entries) {
    if (pool::affinity_alive(entry, now) && word(id) && word(entry.fingerprint)) {
      alive.emplace_back(&id, &entry);
    }
  }
  if (alive.size() > AffinityFile::k_max_entries) {
    std::nth_element(alive.begin(), alive.begin() + AffinityFile::k_max_entries, alive.end(),
                     [](const auto& a, const auto& b) { return a.second->at > b.second->at; });
    alive.resize(AffinityFile::k_max_entries);
  }
  std::string text;
  for (const auto& [id, entry] : alive) {
    text +=
        fmt::format("{} {} {}\n", *id, entry->fingerprint, entry->at.time_since_epoch().count());
  }
  return text;
}

AffinityFile::AffinityFile(const std::string& state_path)
    : m_path(StatePaths(state_path).affinity()) {}

std::optional<pool::AffinityEntry> AffinityFile::lookup(const std::string& id) {
  std::string problem;
  SideFile file(open_side_file(m_path, O_RDONLY, problem));
  if (!file.is_open()) {
    if (m_problem.empty()) {
      m_problem = problem;
    }
    return std::nullopt;
  }
  auto entries = parse_affinities(read_entries(file.fd()));
  auto it = entries.find(id);
  if (it == entries.end()) {
    return std::nullopt;
  }
  return it->second;
}

void AffinityFile::remember(const std::string& id, const std::string& fingerprint,
                            util::TimePoint now) {
  std::string problem;
  // A pool whose walks never made a mark may have no state directory yet:
  // made as the state file's is (mode 0700).
  make_parent_directories(m_path);
  SideFile file(open_side_file(m_path, O_RDWR | O_CREAT, problem));
  if (!file.is_open() || !lock_side_file(file.fd(), k_lock_bound)) {
    if (m_problem.empty()) {
      m_problem = !file.is_open() ? problem : fmt::format("cannot lock {}", m_path);
    }
    return;
  }
  auto entries = parse_affinities(read_entries(file.fd()));
  entries[id] = pool::AffinityEntry{fingerprint, now};
  if (!rewrite_side_file(file.fd(), serialize_affinities(entries, now)) && m_problem.empty()) {
    m_problem = fmt::format("cannot write {}: {}", m_path, std::strerror(errno));
  }
}

} // namespace state
