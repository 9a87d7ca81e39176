#pragma once

#include "state/redis/redis_url.hpp"
#include "util/expected.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace state {

// A Redis Cluster redirection: an error reply `MOVED <slot> <host>:<port>`
// (the slot lives on that node now: send this and later commands there) or
// `ASK <slot> <host>:<port>` (the slot is being migrated: send this one
// command there, preceded by ASKING).
struct Redirect {
  enum class Kind { moved, ask };
  Kind kind = Kind::moved;
  int slot = 0;
  std::string host; // empty: the node that answered (Redis's "unknown endpoint")
  int port = 0;

  // "MOVED to HOST:PORT" / "ASK to HOST:PORT", for messages.
  std::string display() const;
};

// Reads an error reply's text. Not a redirection (any other error):
// std::nullopt. A reply that starts with MOVED or ASK but is not exactly
// `<slot 0..16383> <host>:<port 1..65535>` with a host of at most 255
// printable characters is a failure naming what is wrong: bridge follows
// only what it understands.
util::Expected<std::optional<Redirect>> parse_redirect(std::string_view error_text);

// The node a redirection sends bridge to, with everything else the
// configured URL says (user, password, database, prefix, timeout, TLS), or a
// failure saying why it is not followed. `from` is the node that answered.
// The rules (docs/redis.md, "Cluster"), so that a redirection never reaches
// a server that the URL itself could not have named:
//   - only from TCP: a unix socket's trust (socket_trust.hpp) covers that
//     socket alone, so a redirection from one is refused;
//   - the host is an IP address, or over TLS a host name too (the
//     certificate must then name it, as for the URL's host); a name without
//     TLS could resolve to anything, loopback included;
//   - never the unspecified address (0.0.0.0, ::);
//   - loopback stays loopback: a node on 127.0.0.0/8 or ::1 redirects only
//     to such an address, and a node elsewhere never to one (a remote
//     server must not steer bridge, and its password, to a port on this
//     machine, nor a local one to another machine).
util::Expected<RedisTarget> redirect_target(const RedisTarget& from, const Redirect& redirect);

} // namespace state
