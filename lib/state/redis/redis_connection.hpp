#pragma once

#include "state/redis/redis_url.hpp"
#include "util/expected.hpp"

#include <memory>
#include <string>
#include <vector>

struct redisContext;
struct redisReply;

namespace state {

// One reply of a Redis command, owned (freeReplyObject on destruction).
class RedisReply {
public:
  explicit RedisReply(redisReply* reply) : m_reply(reply) {}

  bool is_error() const;
  bool is_nil() const;
  // Status, string and error replies as text; integers in decimal.
  std::string text() const;
  long long integer() const; // integers, and strings that hold one; 0 otherwise
  std::size_t size() const;  // elements of an array reply
  const redisReply* element(std::size_t index) const;

  static std::string text_of(const redisReply* reply);
  static long long integer_of(const redisReply* reply);

private:
  struct Free {
    void operator()(redisReply* reply) const;
  };
  std::unique_ptr<redisReply, Free> m_reply;
};

using RedisCommand = std::vector<std::string>;

// A blocking hiredis connection to one server, bounded in time.
//
// Connects on first use with the target's timeout; every command is bounded
// by the same timeout (SO_RCVTIMEO/SO_SNDTIMEO). AUTH and SELECT travel in
// the same write as the first commands, so connecting costs the TCP handshake
// and no extra round trip. The first failure (cannot connect, no answer in
// time, a refused password, a closed connection) is kept: every later call
// fails at once with the same message, so a dead server costs one timeout
// per invocation, not one per command. Messages name the server without its
// password. The destructor closes the connection.
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

private:
  bool connect();
  util::Expected<std::vector<RedisReply>> fail(std::string message);
  std::string io_problem() const;

  RedisTarget m_target;
  redisContext* m_context = nullptr;
  [[maybe_unused]] void* m_ssl = nullptr; // redisSSLContext, in builds with hiredis_ssl
  bool m_handshake_sent = false;
  std::string m_failure;
};

} // namespace state
