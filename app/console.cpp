#include "console.hpp"

#include "spinner.hpp"
#include "util/printable.hpp"

#include <cstdlib>
#include <unistd.h>

namespace app {

namespace {

// One message is one line. Messages carry text from outside (upstream error
// messages, request-ids, file names, the state file): util::printable shows
// its control characters escaped, so that it cannot clear the screen,
// retitle the terminal or forge a second "bridge:" line.
void write_line(std::string* capture, const std::string& line) {
  if (capture != nullptr) {
    capture->append(line);
  } else {
    Spinner::write_stderr(line);
  }
}

void say(std::string* capture, const std::string& prefix, const std::string& message) {
  write_line(capture, prefix + util::printable(message) + "\n");
}

} // namespace

void Console::error(const std::string& message) const { say(capture, "bridge: ", message); }

void Console::warning(const std::string& message) const {
  if (!quiet) {
    say(capture, "bridge: warning: ", message);
  }
}

void Console::notice(const std::string& message) const {
  if (!quiet) {
    say(capture, "bridge: ", message);
  }
}

void Console::detail(const std::string& message) const {
  if (verbose) {
    say(capture, "bridge: ", message);
  }
}

void Console::raw_line(const std::string& line) const { write_line(capture, line + "\n"); }

bool use_colour(int fd) {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && no_colour[0] != '\0') {
    return false;
  }
  return ::isatty(fd) == 1;
}

} // namespace app
