#pragma once

#include "util/expected.hpp"

#include <optional>
#include <string>
#include <sys/types.h>

namespace state {

// Whether a unix socket named by a unix:// URL may be given the Redis
// password and believed (docs/security.md). Whoever answers on the socket
// receives AUTH and decides which keys every machine of the fleet skips, so
// the rules of the state file (state/file/path_safety.hpp) apply, widened by
// one user: the server's own, who owns the socket. With S the owner of the
// socket file:
//   - every directory from / to the socket's (following symbolic links as
//     the kernel does) is owned by root, by us or by S, and is not writable
//     by group or others unless it is sticky (as /tmp is);
//   - every symbolic link on the way is owned by root or by us;
//   - in a directory that other users may write to (sticky, as /tmp), where
//     anyone may have created the socket first, S must be root or us;
//   - the socket is a socket.
// Returns S, or the one sentence that says what is wrong and how to fix it.
// A socket that is not there is a failure too (nothing to connect to).
util::Expected<uid_t> trusted_socket_owner(const std::string& path);

// After connecting to `path`: the process that listens on the socket
// (SO_PEERCRED) must be root, us, or `owner` (from trusted_socket_owner).
// Another user's process there means the socket was replaced since it was
// looked at: nullopt when trusted, else what is wrong.
std::optional<std::string> socket_peer_problem(int fd, const std::string& path, uid_t owner);

} // namespace state
