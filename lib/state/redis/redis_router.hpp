#pragma once

#include "state/redis/redis_connection.hpp"
#include "state/redis/redis_redirect.hpp"

#include <memory>
#include <string>
#include <vector>

namespace state {

// The connection to the server that holds the pool's keys: the URL's, or on
// a Redis Cluster the node that owns the pool's slot (docs/redis.md,
// "Cluster").
//
// Commands go to the URL's node first. A `MOVED` reply sends the command
// again to the node it names, which from then on receives every command of
// this invocation (the pool's keys share one slot); an `ASK` reply sends
// that one command there, preceded by `ASKING` in the same write. A command
// is redirected at most k_max_redirects times (a loop ends in a failure).
// Each node is a RedisConnection made from the URL with only the host and
// port changed (redirect_target decides which are followed): the same
// timeout for connecting and for each exchange, the same AUTH, database and
// TLS checks. A command answered TRYAGAIN (several keys of a slot being
// migrated, not all of them moved yet) is sent again after a pause (10 ms,
// doubling up to 200 ms) while the URL's timeout has not passed since the
// call began; then that reply is returned. Every other error reply
// (CLUSTERDOWN during a failover) is returned as it came, for the store to
// report.
//
// The first failure (of any node, or a redirection not followed) is kept:
// every later call fails at once with the same message, as a
// RedisConnection does, so a fault costs one warning and one timeout per
// invocation. Messages never hold the password.
class RedisRouter {
public:
  static constexpr int k_max_redirects = 5;
  // The nodes one invocation may open; a cluster of any size needs two
  // (the URL's and the slot's owner), three while a slot migrates.
  static constexpr std::size_t k_max_nodes = 8;

  explicit RedisRouter(RedisTarget target);

  // RedisConnection::pipeline, with redirections followed: a reply for
  // each command, from the node that holds its keys.
  util::Expected<std::vector<RedisReply>> pipeline(const std::vector<RedisCommand>& commands);

  // The URL's server (for messages).
  const RedisTarget& target() const { return m_nodes.front()->target(); }
  // Whether the failure is the server refusing the URL's password, user or
  // database (RedisConnection::failure_is_configuration).
  bool failure_is_configuration() const { return m_configuration; }

private:
  // The longest pause between two tries of a command answered TRYAGAIN.
  static constexpr util::Millis k_longest_pause{200};

  // One try: the commands, with their redirections followed.
  util::Expected<std::vector<RedisReply>> routed(const std::vector<RedisCommand>& commands);
  // Sleeps; util::Error with the interrupt's exit code on SIGINT/SIGTERM.
  void pause_for(util::Millis pause);
  util::Expected<std::vector<RedisReply>> fail(std::string message, bool configuration);
  util::Expected<RedisConnection*> node_for(const RedisTarget& target);

  std::vector<std::unique_ptr<RedisConnection>> m_nodes; // the URL's first
  RedisConnection* m_owner;                              // where commands go first
  std::string m_failure;
  bool m_configuration = false;
};

} // namespace state
