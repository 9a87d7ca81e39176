#pragma once

// Small helpers shared by the unit tests: a temporary directory that cleans
// up after itself, whole-file reads and writes, and fixed points in time.

#include "util/clock.hpp"
#include "util/error.hpp"
#include "util/time_format.hpp"

#include <doctest/doctest.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace test {

// A fresh directory from mkdtemp(3), removed with everything in it when the
// object goes out of scope (permissions are restored first, so that a test
// that made a directory read-only does not leave it behind).
class TempDir {
public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/bridge-unit-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    }
    m_path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(m_path, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec)) {
        ::chmod(it->path().c_str(), 0700);
      }
    }
    ::chmod(m_path.c_str(), 0700);
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return m_path; }
  std::string operator/(const std::string& name) const { return m_path + "/" + name; }

private:
  std::string m_path;
};

inline void write_file(const std::string& path, const std::string& data, mode_t mode = 0600) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  REQUIRE_MESSAGE(fd >= 0, "open " << path << ": " << std::strerror(errno));
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    REQUIRE(n > 0);
    done += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, mode); // exactly `mode`, whatever the umask
  ::close(fd);
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

inline mode_t permissions(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// A point in time written as RFC 3339, for readable tables. Also used to
// initialise file-scope constants, before doctest runs: so it throws rather
// than asserts.
inline util::TimePoint at(std::string_view rfc3339) {
  auto t = util::parse_rfc3339(rfc3339);
  if (!t) {
    throw std::invalid_argument("bad time in test: " + std::string(rfc3339));
  }
  return *t;
}

// Whether `text` names the whole number `n` (not as part of a longer number).
inline bool mentions_number(const std::string& text, int n) {
  const std::string digits = std::to_string(n);
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  for (auto pos = text.find(digits); pos != std::string::npos; pos = text.find(digits, pos + 1)) {
    bool starts = pos == 0 || !is_digit(text[pos - 1]);
    bool ends = pos + digits.size() == text.size() || !is_digit(text[pos + digits.size()]);
    if (starts && ends) {
      return true;
    }
  }
  return false;
}

inline util::Millis ms(long long count) { return util::Millis{count}; }

} // namespace test

// Runs `statement`, which must throw util::Error with `expected_code`;
// stores the message in `message_out` for further checks.
#define CHECK_BRIDGE_ERROR(statement, expected_code, message_out)                                  \
  do {                                                                                             \
    bool thrown_ = false;                                                                          \
    try {                                                                                          \
      statement;                                                                                   \
    } catch (const util::Error& error_) {                                                          \
      thrown_ = true;                                                                              \
      CHECK(error_.code() == (expected_code));                                                     \
      (message_out) = error_.what();                                                               \
    }                                                                                              \
    CHECK_MESSAGE(thrown_, "expected util::Error from: " #statement);                              \
  } while (false)
