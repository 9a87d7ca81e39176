#include "listener_unix.hpp"

#include "util/error.hpp"
#include "util/printable.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace app {

namespace {

[[noreturn]] void refuse(util::ExitCode code, const std::string& path, const std::string& why) {
  throw util::Error(code, fmt::format("--listen unix:{}: {}", util::printable(path), why));
}

sockaddr_un address_of(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

std::string folder_of(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    return ".";
  }
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The folder must be ours (or root's) and closed to other users' writes,
// unless it is sticky: elsewhere, another user could swap the socket for
// one of their own between two runs.
void check_folder(const std::string& path) {
  std::string folder = folder_of(path);
  struct stat info {};
  if (::stat(folder.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    refuse(util::ExitCode::config, path,
           fmt::format("the folder {} does not exist", util::printable(folder)));
  }
  if (info.st_uid != ::geteuid() && info.st_uid != 0) {
    refuse(util::ExitCode::config, path,
           fmt::format("the folder {} belongs to another user", util::printable(folder)));
  }
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (info.st_mode & S_ISVTX) == 0) {
    refuse(util::ExitCode::config, path,
           fmt::format("other users can write to the folder {} (and replace the socket); "
                       "use a folder only you can write to, or a sticky one such as /tmp",
                       util::printable(folder)));
  }
}

// True when something accepts connections on the socket at PATH.
bool someone_listens(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_un address = address_of(path);
  bool listens = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return listens;
}

// What is at PATH already: nothing, or a stale socket of ours (removed).
// Anything else is refused and left where it is.
void clear_the_way(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) {
      return;
    }
    refuse(util::ExitCode::config, path, std::strerror(errno));
  }
  if (S_ISLNK(info.st_mode)) {
    refuse(util::ExitCode::config, path, "it is a symbolic link; bridge does not follow it");
  }
  if (!S_ISSOCK(info.st_mode)) {
    refuse(util::ExitCode::config, path,
           "a file that is not a socket is in the way; bridge removes only a socket of its own");
  }
  if (info.st_uid != ::geteuid()) {
    refuse(util::ExitCode::config, path, "a socket of another user is in the way");
  }
  if (someone_listens(path)) {
    refuse(util::ExitCode::unavailable, path, "another listener is serving on this socket");
  }
  ::unlink(path.c_str()); // stale: its listener is gone
}

} // namespace

std::size_t max_unix_path() { return sizeof(sockaddr_un::sun_path) - 1; }

UnixSocket::UnixSocket(std::string path) : m_path(std::move(path)) {
  if (m_path.empty()) {
    refuse(util::ExitCode::config, m_path, "expected unix:PATH, such as unix:/tmp/bridge.sock");
  }
  if (m_path.size() > max_unix_path()) {
    refuse(util::ExitCode::config, m_path,
           fmt::format("longer than a socket address holds ({} bytes)", max_unix_path()));
  }
  check_folder(m_path);
  clear_the_way(m_path);
  m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (m_fd < 0) {
    refuse(util::ExitCode::unavailable, m_path, std::strerror(errno));
  }
  sockaddr_un address = address_of(m_path);
  // 0600 from the start: no moment when another user may connect.
  mode_t before = ::umask(0177);
  int bound = ::bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  int bind_errno = errno;
  ::umask(before);
  if (bound != 0) {
    ::close(m_fd);
    m_fd = -1;
    refuse(util::ExitCode::unavailable, m_path, std::strerror(bind_errno));
  }
  struct stat info {};
  ::lstat(m_path.c_str(), &info);
  m_device = info.st_dev;
  m_inode = info.st_ino;
  m_made = true;
  if (::listen(m_fd, SOMAXCONN) != 0) {
    int listen_errno = errno;
    remove();
    ::close(m_fd);
    m_fd = -1;
    refuse(util::ExitCode::unavailable, m_path, std::strerror(listen_errno));
  }
}

UnixSocket::~UnixSocket() {
  remove();
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

int UnixSocket::release() {
  int fd = m_fd;
  m_fd = -1;
  return fd;
}

void UnixSocket::remove() {
  if (!m_made) {
    return;
  }
  m_made = false;
  struct stat info {};
  if (::lstat(m_path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode) && info.st_dev == m_device &&
      info.st_ino == m_inode) {
    ::unlink(m_path.c_str());
  }
}

} // namespace app
