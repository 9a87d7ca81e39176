#pragma once

#include <cstddef>
#include <memory>
#include <string>

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

// How much of one reply bridge accepts from a server, which may be anyone
// who answers on the port or socket (docs/security.md): without a bound, a
// bulk string of a gigabyte or an array of millions of elements takes as
// much memory. The largest real reply (the marks of k_batch keys, with
// their per-model cooldowns and limits) is a few megabytes and some
// hundred thousand elements.
struct ReplyLimits {
  static constexpr std::size_t k_max_bytes = 64 * 1024 * 1024;
  static constexpr std::size_t k_max_elements = 1024 * 1024;
};

// What the reply being read has taken so far. Installed on a hiredis
// context (watch_replies), it makes the reader refuse an array or a string
// past the limits: the reader then fails, and `exceeded` says why.
struct ReplyBudget {
  std::size_t bytes = 0;
  std::size_t elements = 0;
  bool exceeded = false;
  // Called once a whole reply was taken from the reader.
  void next_reply() {
    bytes = 0;
    elements = 0;
  }
};

// Counts every array and string the reader of `context` makes against
// `budget` (which must outlive the context's use), refusing those past
// ReplyLimits. Bulk bytes still in the reader's buffer are not counted
// here: the caller bounds the buffer (buffered_bytes).
void watch_replies(redisContext* context, ReplyBudget& budget);
// Bytes received and not yet made into a reply.
std::size_t buffered_bytes(const redisContext* context);

} // namespace state
