#include "console.hpp"

#include "spinner.hpp"

#include <cstdlib>
#include <unistd.h>

namespace app {

namespace {

// One message is one line. Messages carry text from outside (upstream error
// messages, file names): control characters in it are shown escaped, so
// that an upstream cannot clear the screen, retitle the terminal or forge a
// second "bridge:" line.
std::string printable(const std::string& message) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(message.size());
  for (char c : message) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      out += "\\x";
      out += k_hex[u >> 4];
      out += k_hex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

void say(const std::string& prefix, const std::string& message) {
  Spinner::write_stderr(prefix + printable(message) + "\n");
}

} // namespace

void Console::error(const std::string& message) const { say("bridge: ", message); }

void Console::warning(const std::string& message) const {
  if (!quiet) {
    say("bridge: warning: ", message);
  }
}

void Console::notice(const std::string& message) const {
  if (!quiet) {
    say("bridge: ", message);
  }
}

void Console::detail(const std::string& message) const {
  if (verbose) {
    say("bridge: ", message);
  }
}

void Console::raw_line(const std::string& line) const { Spinner::write_stderr(line + "\n"); }

bool use_colour(int fd) {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && no_colour[0] != '\0') {
    return false;
  }
  return ::isatty(fd) == 1;
}

} // namespace app
