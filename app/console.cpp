#include "console.hpp"

#include "spinner.hpp"

#include <cstdlib>
#include <unistd.h>

namespace app {

namespace {
void say(const std::string& text) { Spinner::write_stderr(text); }
} // namespace

void Console::error(const std::string& message) const { say("bridge: " + message + "\n"); }

void Console::warning(const std::string& message) const {
  if (!quiet) {
    say("bridge: warning: " + message + "\n");
  }
}

void Console::notice(const std::string& message) const {
  if (!quiet) {
    say("bridge: " + message + "\n");
  }
}

void Console::detail(const std::string& message) const {
  if (verbose) {
    say("bridge: " + message + "\n");
  }
}

void Console::raw_line(const std::string& line) const { say(line + "\n"); }

bool use_colour(int fd) {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && no_colour[0] != '\0') {
    return false;
  }
  return ::isatty(fd) == 1;
}

} // namespace app
