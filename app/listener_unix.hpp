#pragma once

// The socket file of `serve --listen unix:PATH`. The file's permissions are
// the first gate of the listener (the token is the second): the socket is
// made 0600, in a folder that no other user can write to (or a sticky one,
// such as /tmp, where no other user can remove or rename our file), and a
// PATH that exists is used only when it is a stale socket of this user's
// (nothing listens on it any more). Anything else at PATH is left alone.

#include <string>
#include <sys/types.h>

namespace app {

class UnixSocket {
public:
  // Checks PATH and its folder, binds and listens. Throws util::Error:
  // exit 78 for a PATH that is unsafe or in the way (a symlink, a file that
  // is not a socket, a socket of another user, a folder others can write
  // to, a path too long for a socket address); exit 69 when another
  // listener is serving on PATH or the socket cannot be made.
  explicit UnixSocket(std::string path);
  ~UnixSocket();
  UnixSocket(const UnixSocket&) = delete;
  UnixSocket& operator=(const UnixSocket&) = delete;

  // The listening descriptor, which the caller now owns (the listener
  // closes it when it stops accepting).
  int release();
  const std::string& path() const { return m_path; }
  // Removes the socket file when it is still the one this object made
  // (never a file another process put in its place). Idempotent.
  void remove();

private:
  std::string m_path;
  int m_fd = -1;
  dev_t m_device = 0;
  ino_t m_inode = 0;
  bool m_made = false;
};

// The longest PATH a socket address holds (sun_path less its NUL).
std::size_t max_unix_path();

} // namespace app
