#include "state/file/affinity_file.hpp"

#include "pool/mark.hpp"
#include "state/file/atomic_file.hpp"
#include "state/file/path_safety.hpp"
#include "state/file/state_paths.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace state {

namespace {

// k_max_entries lines of at most a few hundred bytes; a longer file is not
// one we wrote, and is read as empty.
constexpr std::size_t k_max_size = 1024 * 1024;

struct Descriptor {
  int fd = -1;
  explicit Descriptor(int opened) : fd(opened) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd >= 0) {
      ::close(fd);
    }
  }
};

std::string read_bounded(int fd) {
  std::string text;
  char buffer[16384];
  off_t offset = 0;
  while (text.size() <= k_max_size) {
    ssize_t n = ::pread(fd, buffer, sizeof buffer, offset);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return n == 0 ? text : std::string();
    }
    text.append(buffer, static_cast<std::size_t>(n));
    offset += n;
  }
  return {};
}

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return ::ftruncate(fd, static_cast<off_t>(text.size())) == 0;
}

// A holder is in for microseconds; one held longer (a stopped process) costs
// this remember only, never the request.
bool lock_briefly(int fd) {
  for (int tries = 0; tries < 200; ++tries) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      return true;
    }
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return false;
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
  Descriptor file(open_side_file(m_path, O_RDONLY, problem));
  if (file.fd < 0) {
    if (m_problem.empty()) {
      m_problem = problem;
    }
    return std::nullopt;
  }
  auto entries = parse_affinities(read_bounded(file.fd));
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
  Descriptor file(open_side_file(m_path, O_RDWR | O_CREAT, problem));
  if (file.fd < 0 || !lock_briefly(file.fd)) {
    if (m_problem.empty()) {
      m_problem = file.fd < 0 ? problem : fmt::format("cannot lock {}", m_path);
    }
    return;
  }
  auto entries = parse_affinities(read_bounded(file.fd));
  entries[id] = pool::AffinityEntry{fingerprint, now};
  if (!write_all(file.fd, serialize_affinities(entries, now)) && m_problem.empty()) {
    m_problem = fmt::format("cannot write {}: {}", m_path, std::strerror(errno));
  }
}

} // namespace state
