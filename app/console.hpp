#pragma once

#include <string>

namespace app {

// Everything bridge says on stderr goes through here, prefixed "bridge: ".
// stdout is never touched: it carries only the answer.
class Console {
public:
  bool verbose = false;
  bool quiet = false;
  // When set, every line is appended here instead of written to stderr, so
  // that a test can read what a command said. Never set in production.
  std::string* capture = nullptr;

  void error(const std::string& message) const;
  // Warnings and notices are dropped with -q; details need -v.
  void warning(const std::string& message) const;
  void notice(const std::string& message) const;
  void detail(const std::string& message) const;
  // A raw line on stderr, unprefixed (JSON error lines).
  void raw_line(const std::string& line) const;
};

// Whether to colour output on file descriptor `fd`: only on a terminal, and
// never when NO_COLOR is set to anything (no-color.org).
bool use_colour(int fd);

} // namespace app
