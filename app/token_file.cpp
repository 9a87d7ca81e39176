#include "token_file.hpp"

#include "listener.hpp"

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/printable.hpp"
#include "util/strings.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace app {

namespace {

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw util::Error(util::ExitCode::config,
                    fmt::format("token file {}: {}", util::printable(path), why));
}

void make_parent(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) {
    return;
  }
  std::string dir = path.substr(0, slash);
  for (std::size_t at = 1; at <= dir.size(); ++at) {
    if (at == dir.size() || dir[at] == '/') {
      std::string part = dir.substr(0, at);
      if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
        refuse(path,
               fmt::format("cannot make {}: {}", util::printable(part), std::strerror(errno)));
      }
    }
  }
}

} // namespace

std::string load_or_create_token(const std::string& path) {
  auto content = util::read_small_file(path, 4096, false);
  if (content) {
    if ((content->mode & 077) != 0) {
      refuse(path, "readable by others than its owner: chmod 600 it");
    }
    std::string_view text = content->data;
    std::string token(util::trim(text.substr(0, text.find('\n'))));
    if (token.size() < 32) {
      refuse(path, "holds no token (a line of at least 32 characters)");
    }
    return token;
  }
  if (::access(path.c_str(), F_OK) == 0 || errno != ENOENT) {
    refuse(path, content.error());
  }
  make_parent(path);
  std::string token = new_token();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    refuse(path, fmt::format("cannot create it: {}", std::strerror(errno)));
  }
  bool written = util::write_all(fd, token + "\n");
  if (::close(fd) != 0 || !written) {
    ::unlink(path.c_str());
    refuse(path, "cannot write it");
  }
  return token;
}

} // namespace app
