#include "state/redis/redis_connection.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <sys/time.h>
#include <utility>

#ifdef BRIDGE_HAVE_HIREDIS_SSL
#include <hiredis/hiredis_ssl.h>
#endif

namespace state {

void RedisReply::Free::operator()(redisReply* reply) const { freeReplyObject(reply); }

bool RedisReply::is_error() const { return m_reply && m_reply->type == REDIS_REPLY_ERROR; }
bool RedisReply::is_nil() const { return !m_reply || m_reply->type == REDIS_REPLY_NIL; }
std::string RedisReply::text() const { return text_of(m_reply.get()); }
long long RedisReply::integer() const { return integer_of(m_reply.get()); }

std::size_t RedisReply::size() const {
  return m_reply && m_reply->type == REDIS_REPLY_ARRAY ? m_reply->elements : 0;
}

const redisReply* RedisReply::element(std::size_t index) const {
  return index < size() ? m_reply->element[index] : nullptr;
}

std::string RedisReply::text_of(const redisReply* reply) {
  if (reply == nullptr) {
    return {};
  }
  switch (reply->type) {
  case REDIS_REPLY_STRING:
  case REDIS_REPLY_STATUS:
  case REDIS_REPLY_ERROR:
    return std::string(reply->str, reply->len);
  case REDIS_REPLY_INTEGER:
    return std::to_string(reply->integer);
  default:
    return {};
  }
}

long long RedisReply::integer_of(const redisReply* reply) {
  if (reply == nullptr) {
    return 0;
  }
  if (reply->type == REDIS_REPLY_INTEGER) {
    return reply->integer;
  }
  if (reply->type == REDIS_REPLY_STRING) {
    char* end = nullptr;
    errno = 0;
    long long value = std::strtoll(reply->str, &end, 10);
    return errno == 0 && end == reply->str + reply->len ? value : 0;
  }
  return 0;
}

namespace {
timeval to_timeval(util::Millis ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}
} // namespace

RedisConnection::RedisConnection(RedisTarget target) : m_target(std::move(target)) {}

RedisConnection::~RedisConnection() {
  if (m_context != nullptr) {
    redisFree(m_context);
  }
#ifdef BRIDGE_HAVE_HIREDIS_SSL
  if (m_ssl != nullptr) {
    redisFreeSSLContext(static_cast<redisSSLContext*>(m_ssl));
  }
#endif
}

util::Expected<std::vector<RedisReply>> RedisConnection::fail(std::string message) {
  if (m_failure.empty()) {
    m_failure = std::move(message);
  }
  if (m_context != nullptr) {
    redisFree(m_context);
    m_context = nullptr;
  }
  return util::Expected<std::vector<RedisReply>>::failure(m_failure);
}

std::string RedisConnection::io_problem() const {
  if (m_context == nullptr) {
    return "out of memory";
  }
  // A receive timeout shows up as EAGAIN: say what it means.
  if (m_context->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    return fmt::format("no answer within {} ms", m_target.timeout.count());
  }
  if (m_context->err == REDIS_ERR_EOF) {
    return "the server closed the connection";
  }
  return m_context->errstr[0] != '\0' ? std::string(m_context->errstr) : std::strerror(errno);
}

bool RedisConnection::connect() {
  auto tv = to_timeval(m_target.timeout);
  m_context = m_target.transport == RedisTarget::Transport::unix_socket
                  ? redisConnectUnixWithTimeout(m_target.socket_path.c_str(), tv)
                  : redisConnectWithTimeout(m_target.host.c_str(), m_target.port, tv);
  if (m_context == nullptr || m_context->err != 0) {
    fail(fmt::format("cannot connect: {}", io_problem()));
    return false;
  }
  if (redisSetTimeout(m_context, tv) != REDIS_OK) {
    fail(fmt::format("cannot set the command timeout: {}", io_problem()));
    return false;
  }
#ifdef BRIDGE_HAVE_HIREDIS_SSL
  if (m_target.tls) {
    // The system's CA store verifies the server, named by its host.
    redisInitOpenSSL();
    redisSSLContextError ssl_error = REDIS_SSL_CTX_NONE;
    redisSSLContext* ssl = redisCreateSSLContext(nullptr, nullptr, nullptr, nullptr,
                                                 m_target.host.c_str(), &ssl_error);
    m_ssl = ssl;
    if (ssl == nullptr || redisInitiateSSLWithContext(m_context, ssl) != REDIS_OK) {
      fail(fmt::format("TLS: {}",
                       ssl == nullptr ? redisSSLContextGetError(ssl_error) : io_problem()));
      return false;
    }
  }
#endif
  return true;
}

util::Expected<std::vector<RedisReply>>
RedisConnection::pipeline(const std::vector<RedisCommand>& commands) {
  if (!m_failure.empty()) {
    return util::Expected<std::vector<RedisReply>>::failure(m_failure);
  }
  if (m_context == nullptr && !connect()) {
    return util::Expected<std::vector<RedisReply>>::failure(m_failure);
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
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < handshake.size() + commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(m_context, &raw) != REDIS_OK) {
      return fail(io_problem());
    }
    RedisReply reply(static_cast<redisReply*>(raw));
    if (i < handshake.size()) {
      if (reply.is_error()) {
        // NOAUTH, WRONGPASS, a db out of range: nothing else will work.
        return fail(fmt::format("{} refused: {}", handshake[i][0], reply.text()));
      }
      continue;
    }
    if (reply.is_error() && reply.text().starts_with("NOAUTH")) {
      return fail(fmt::format("the server needs a password (set REDISCLI_AUTH, or put it in the "
                              "URL): {}",
                              reply.text()));
    }
    replies.push_back(std::move(reply));
  }
  return replies;
}

} // namespace state
