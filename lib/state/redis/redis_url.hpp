#pragma once

#include "util/clock.hpp"
#include "util/expected.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace state {

// Where a Redis server is and how to talk to it, from a --state URL:
//   redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?prefix=P&timeout=MS]
//   rediss://...            (the same, over TLS, when the build supports it)
//   unix://[[USER]:PASSWORD@]/PATH/TO/redis.sock[?db=N&prefix=P&timeout=MS]
// These are the forms redis-py and most clients accept, so a fleet can share
// one URL between bridge and its other tools.
struct RedisTarget {
  enum class Transport { tcp, unix_socket };
  Transport transport = Transport::tcp;
  bool tls = false;
  std::string host;        // tcp
  int port = 6379;         // tcp
  std::string socket_path; // unix_socket
  std::string user;        // empty: the default user (AUTH with the password only)
  std::optional<std::string> password;
  bool password_in_url = false; // as opposed to REDISCLI_AUTH
  int db = 0;
  std::string prefix = "bridge:";
  util::Millis timeout{250}; // connect and each command

  // The server for messages: scheme, user, host and port or socket, db.
  // Never the password.
  std::string display() const;
};

// Parses a URL of one of the forms above (the caller has decided that the
// text is a URL: state::looks_like_url). A URL that does not parse, an
// unknown scheme, or rediss:// in a build without TLS for Redis is a failure
// whose message names the URL (without its password) and the problem; the
// caller says where the URL came from (--state, BRIDGE_STATE). `env_password`
// (REDISCLI_AUTH) is used when the URL carries no password.
util::Expected<RedisTarget> parse_redis_url(std::string_view text,
                                            std::optional<std::string> env_password);

// Whether this build can speak TLS to Redis (hiredis_ssl was found).
bool redis_tls_supported();

} // namespace state
