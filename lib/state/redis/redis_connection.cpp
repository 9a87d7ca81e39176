#include "state/redis/redis_connection.hpp"

#include "state/redis/redis_tls.hpp"
#include "state/redis/socket_trust.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/time.h>
#include <utility>

namespace state {

namespace {

using Replies = util::Expected<std::vector<RedisReply>>;
using Steady = std::chrono::steady_clock;

timeval to_timeval(util::Millis ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

// The longest single wait: a signal that arrives just before poll() starts
// (or is taken by another thread) is still seen this soon.
constexpr int k_poll_slice_ms = 100;

enum class Waited { ready, deadline, interrupted, failed };

// Waits until `fd` is ready for `events`, the deadline passes, or SIGINT or
// SIGTERM arrives (poll returns EINTR: the handler has no SA_RESTART).
Waited wait_for(int fd, short events, Steady::time_point deadline) {
  for (;;) {
    if (util::interrupted()) {
      return Waited::interrupted;
    }
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Steady::now()).count();
    if (left <= 0) {
      return Waited::deadline;
    }
    pollfd entry{fd, events, 0};
    int ready = ::poll(&entry, 1, static_cast<int>(std::min<long long>(left, k_poll_slice_ms)));
    if (ready > 0) {
      return Waited::ready; // an error or a hang-up shows in the read or write that follows
    }
    if (ready < 0 && errno != EINTR) {
      return Waited::failed;
    }
  }
}

// A server's error text as a clause of bridge's message: without the full
// stop Redis ends some with ("... or user is disabled."), which would read
// ".;" once bridge goes on.
std::string server_words(std::string_view text) {
  while (!text.empty() &&
         (text.back() == '.' || text.back() == ' ' || text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

// What a refused AUTH or SELECT was about, in the words of the URL.
std::string handshake_refused(const RedisCommand& command, const RedisTarget& target,
                              std::string_view reply) {
  if (command[0] == "AUTH") {
    return fmt::format("the {}password {} was refused: {}",
                       target.user.empty() ? "" : fmt::format("user '{}' or its ", target.user),
                       target.password_in_url ? "in the URL" : "from REDISCLI_AUTH",
                       server_words(reply));
  }
  return fmt::format("{} {} was refused (the URL's database): {}", command[0], target.db,
                     server_words(reply));
}

} // namespace

std::string mask_password(std::string text, const std::optional<std::string>& password) {
  if (!password || password->empty()) {
    return text;
  }
  for (auto at = text.find(*password); at != std::string::npos; at = text.find(*password, at)) {
    text.replace(at, password->size(), "***");
  }
  return text;
}

RedisConnection::RedisConnection(RedisTarget target) : m_target(std::move(target)) {}

RedisConnection::~RedisConnection() {
  if (m_context != nullptr) {
    redisFree(m_context);
  }
}

Replies RedisConnection::fail(std::string message) {
  if (m_failure.empty()) {
    m_failure = mask_password(std::move(message), m_target.password);
  }
  if (m_context != nullptr) {
    redisFree(m_context);
    m_context = nullptr;
  }
  return Replies::failure(m_failure);
}

Replies RedisConnection::fail_configuration(std::string message) {
  if (m_failure.empty()) {
    m_configuration = true;
  }
  return fail(std::move(message));
}

void RedisConnection::interrupted() {
  fail(util::interrupt_message());
  throw util::Error(static_cast<util::ExitCode>(util::interrupt_exit_code()),
                    util::interrupt_message());
}

std::string RedisConnection::io_problem() const {
  if (m_context == nullptr) {
    return "out of memory";
  }
  if (m_context->err == REDIS_ERR_EOF) {
    return "the server closed the connection";
  }
  return m_context->errstr[0] != '\0' ? std::string(m_context->errstr) : std::strerror(errno);
}

bool RedisConnection::connect() {
  auto tv = to_timeval(m_target.timeout);
  bool unix_socket = m_target.transport == RedisTarget::Transport::unix_socket;
  uid_t socket_owner = 0;
  if (unix_socket) {
    // Before connecting: the password must not reach a socket that another
    // user may have put there (socket_trust.hpp).
    auto owner = trusted_socket_owner(m_target.socket_path);
    if (!owner) {
      fail(fmt::format("refused: {}", owner.error()));
      return false;
    }
    socket_owner = *owner;
  }
  m_context = unix_socket ? redisConnectUnixWithTimeout(m_target.socket_path.c_str(), tv)
                          : redisConnectWithTimeout(m_target.host.c_str(), m_target.port, tv);
  if (util::interrupted()) {
    interrupted();
  }
  if (m_context == nullptr || m_context->err != 0) {
    fail(fmt::format("cannot connect: {}", io_problem()));
    return false;
  }
  if (unix_socket) {
    if (auto problem = socket_peer_problem(m_context->fd, m_target.socket_path, socket_owner)) {
      fail(fmt::format("refused: {}", *problem));
      return false;
    }
  }
  // Each read of the TLS handshake is bounded; every exchange after it is
  // bounded as a whole by exchange().
  if (redisSetTimeout(m_context, tv) != REDIS_OK) {
    fail(fmt::format("cannot set the timeout: {}", io_problem()));
    return false;
  }
  if (m_target.tls) {
    if (auto problem = start_tls(m_context, m_target.host)) {
      fail(fmt::format("TLS: {}", *problem));
      return false;
    }
  }
  // From here bridge waits for the socket itself (exchange): hiredis reads
  // and writes without blocking, and takes EAGAIN as "not yet".
  int flags = ::fcntl(m_context->fd, F_GETFL);
  if (flags < 0 || ::fcntl(m_context->fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    fail(fmt::format("cannot make the socket non-blocking: {}", std::strerror(errno)));
    return false;
  }
  m_context->flags &= ~REDIS_BLOCK;
  watch_replies(m_context, m_budget);
  return true;
}

std::optional<std::string> RedisConnection::exchange(std::size_t count,
                                                     std::vector<RedisReply>& replies) {
  auto deadline = Steady::now() + m_target.timeout;
  bool answered = false; // any byte came back
  auto late = [&] {
    return answered ? fmt::format("the answer was not complete within {} ms (the server sends "
                                  "too slowly)",
                                  m_target.timeout.count())
                    : fmt::format("no answer within {} ms", m_target.timeout.count());
  };
  auto waited = [&](short events) -> std::optional<std::string> {
    switch (wait_for(m_context->fd, events, deadline)) {
    case Waited::ready:
      return std::nullopt;
    case Waited::deadline:
      return late();
    case Waited::interrupted:
      interrupted();
    case Waited::failed:
      break;
    }
    return fmt::format("poll: {}", std::strerror(errno));
  };
  int written = 0;
  for (;;) {
    if (redisBufferWrite(m_context, &written) != REDIS_OK) {
      return io_problem();
    }
    if (written != 0) {
      break;
    }
    if (auto problem = waited(POLLOUT)) {
      return problem;
    }
  }
  while (replies.size() < count) {
    void* raw = nullptr;
    m_budget.exceeded = false;
    if (redisGetReplyFromReader(m_context, &raw) != REDIS_OK) {
      if (m_budget.exceeded) {
        return fmt::format("a reply larger than bridge accepts (over {} elements or {} MiB)",
                           ReplyLimits::k_max_elements, ReplyLimits::k_max_bytes >> 20);
      }
      return io_problem();
    }
    if (raw != nullptr) {
      replies.emplace_back(static_cast<redisReply*>(raw));
      m_budget.next_reply();
      continue;
    }
    if (buffered_bytes(m_context) > ReplyLimits::k_max_bytes) {
      return fmt::format("a reply larger than bridge accepts (over {} MiB)",
                         ReplyLimits::k_max_bytes >> 20);
    }
    // Read what is there first: a TLS session may hold decrypted bytes
    // that poll() cannot see.
    std::size_t before = m_context->reader->len;
    if (redisBufferRead(m_context) != REDIS_OK) {
      return io_problem();
    }
    if (m_context->reader->len != before) {
      answered = true;
      continue;
    }
    if (auto problem = waited(POLLIN)) {
      return problem;
    }
  }
  return std::nullopt;
}

Replies RedisConnection::pipeline(const std::vector<RedisCommand>& commands) {
  if (!m_failure.empty()) {
    return Replies::failure(m_failure);
  }
  if (m_context == nullptr && !connect()) {
    return Replies::failure(m_failure);
  }
  std::vector<RedisCommand> handshake;
  if (!m_handshake_sent) {
    if (m_target.password) {
      handshake.push_back(m_target.user.empty()
                              ? RedisCommand{"AUTH", *m_target.password}
                              : RedisCommand{"AUTH", m_target.user, *m_target.password});
    }
    if (m_target.db != 0) {
      handshake.push_back({"SELECT", std::to_string(m_target.db)});
    }
    m_handshake_sent = true;
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  auto append = [&](const RedisCommand& command) {
    argv.clear();
    lengths.clear();
    for (const auto& word : command) {
      argv.push_back(word.data());
      lengths.push_back(word.size());
    }
    return redisAppendCommandArgv(m_context, static_cast<int>(argv.size()), argv.data(),
                                  lengths.data()) == REDIS_OK;
  };
  for (const std::vector<RedisCommand>* batch : {&std::as_const(handshake), &commands}) {
    for (const auto& command : *batch) {
      if (!append(command)) {
        return fail(io_problem());
      }
    }
  }
  std::vector<RedisReply> all;
  all.reserve(handshake.size() + commands.size());
  if (auto problem = exchange(handshake.size() + commands.size(), all)) {
    return fail(*problem);
  }
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    RedisReply& reply = all[i];
    if (i < handshake.size()) {
      if (reply.is_error()) {
        // WRONGPASS, "invalid password", a disabled user, a db out of
        // range: nothing else will work, and only the set-up can mend it.
        return fail_configuration(handshake_refused(handshake[i], m_target, reply.text()));
      }
      continue;
    }
    if (reply.is_error() && reply.text().starts_with("NOAUTH")) {
      return fail_configuration(fmt::format("the server needs a password (set REDISCLI_AUTH, or "
                                            "put it in the URL): {}",
                                            server_words(reply.text())));
    }
    replies.push_back(std::move(reply));
  }
  return replies;
}

} // namespace state
