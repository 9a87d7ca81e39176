#pragma once

// Reading, rewriting and locking the small files kept beside the state file
// and changed in place under an flock(2) of their own (the claims ledger,
// the affinity file). They are opened with state::open_side_file.

#include "util/clock.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace state {

// An open descriptor, closed (and so its flock dropped) on every way out.
class SideFile {
public:
  SideFile() = default;
  explicit SideFile(int fd) : m_fd(fd) {}
  SideFile(const SideFile&) = delete;
  SideFile& operator=(const SideFile&) = delete;
  SideFile(SideFile&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
  SideFile& operator=(SideFile&& other) noexcept;
  ~SideFile();

  int fd() const { return m_fd; }
  bool is_open() const { return m_fd >= 0; }

private:
  int m_fd = -1;
};

// The whole file from its start into `text` (appended). False when it
// cannot be read or holds more than `max_size` bytes: a file that large is
// not one bridge wrote.
bool read_side_file(int fd, std::size_t max_size, std::string& text);

// Makes `text` the file's whole content: written from the start, then cut
// to its length. False (errno set) when a write or the cut fails.
bool rewrite_side_file(int fd, std::string_view text);

// An exclusive flock(2), tried without blocking and again after pauses
// from 50 µs doubling to 2 ms (with jitter) for at most `bound`: a holder is
// in for microseconds, and a stopped holder must not stop every request.
bool lock_side_file(int fd, util::Millis bound);

} // namespace state
