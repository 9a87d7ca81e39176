#pragma once

#include "state/redis/redis_reply.hpp"
#include "state/redis/redis_url.hpp"
#include "util/expected.hpp"

#include <string>
#include <vector>

struct redisContext;

namespace state {

using RedisCommand = std::vector<std::string>;

// `text` with every occurrence of the password replaced by "***": a
// server's error text may quote what it was sent.
std::string mask_password(std::string text, const std::optional<std::string>& password);

// A hiredis connection to one server, bounded in time and in memory.
//
// Connects on first use, bounded by the target's timeout. A unix socket is
// used only where no other user can have put it (socket_trust.hpp), and is
// left at once, before a byte is written, when the process that answers is
// not one bridge trusts (SO_PEERCRED). Over TLS the server's certificate
// must name the host of the URL (or its IP address).
//
// Every exchange (pipeline()) ends within the target's timeout as a whole:
// the socket is non-blocking and bridge waits for it itself, so a server
// that sends a byte now and then cannot hold an exchange longer than a
// silent one. SIGINT and SIGTERM end the wait at once: pipeline() then
// throws util::Error with the interrupt's exit code (130 or 143), which no
// fallback swallows. A reply larger than ReplyLimits is refused.
//
// AUTH and SELECT travel in the same write as the first commands, so
// connecting costs the TCP handshake and no extra round trip. The first
// failure (cannot connect, no answer in time, a refused password, a closed
// connection, a reply too large) is kept: every later call fails at once
// with the same message, so a dead server costs one timeout per invocation,
// not one per command. Messages name the server without its password (and
// never repeat it, should a server echo it). The destructor closes the
// connection.
class RedisConnection {
public:
  explicit RedisConnection(RedisTarget target);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends every command in one write and reads every reply: one round trip.
  // Error replies are returned as replies (the caller decides, e.g. on
  // NOSCRIPT); only transport and authentication trouble is a failure.
  util::Expected<std::vector<RedisReply>> pipeline(const std::vector<RedisCommand>& commands);

  const RedisTarget& target() const { return m_target; }
  // The failure that ended this connection, or empty.
  const std::string& failure() const { return m_failure; }
  // Whether that failure is the server refusing what the URL told bridge to
  // use (the password, the user, the database): a configuration error,
  // which waiting will not mend, rather than an outage.
  bool failure_is_configuration() const { return m_configuration; }

private:
  bool connect();
  util::Expected<std::vector<RedisReply>> fail(std::string message);
  util::Expected<std::vector<RedisReply>> fail_configuration(std::string message);
  std::string io_problem() const;
  // Writes the output buffer, then reads `count` replies, before the
  // exchange's deadline; a message on failure.
  std::optional<std::string> exchange(std::size_t count, std::vector<RedisReply>& replies);
  [[noreturn]] void interrupted();

  RedisTarget m_target;
  redisContext* m_context = nullptr;
  [[maybe_unused]] void* m_tls = nullptr; // what the TLS session owns, in builds with hiredis_ssl
  ReplyBudget m_budget;
  bool m_handshake_sent = false;
  std::string m_failure;
  bool m_configuration = false;
};

} // namespace state
