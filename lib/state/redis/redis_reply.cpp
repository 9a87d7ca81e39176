#include "state/redis/redis_reply.hpp"

#include <cerrno>
#include <cstdlib>
#include <hiredis/hiredis.h>

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

// hiredis's own functions, which make the reply objects; ours count and
// then call them. They are the same for every context (a static table in
// hiredis), so one copy serves all.
const redisReplyObjectFunctions* g_hiredis = nullptr;
redisReplyObjectFunctions g_counting{};

ReplyBudget& budget_of(const redisReadTask* task) {
  return *static_cast<ReplyBudget*>(task->privdata);
}

bool take(ReplyBudget& budget, std::size_t bytes, std::size_t elements) {
  if (budget.exceeded || bytes > ReplyLimits::k_max_bytes - budget.bytes ||
      elements > ReplyLimits::k_max_elements - budget.elements) {
    budget.exceeded = true;
    return false;
  }
  budget.bytes += bytes;
  budget.elements += elements;
  return true;
}

void* counted_string(const redisReadTask* task, char* text, std::size_t length) {
  return take(budget_of(task), length, 1) ? g_hiredis->createString(task, text, length) : nullptr;
}

// The count is an int in hiredis 0.14 and a size_t from 1.0: a template
// fits either member type.
template <typename Count> void* counted_array(const redisReadTask* task, Count elements) {
  auto count = elements < 0 ? std::size_t{0} : static_cast<std::size_t>(elements);
  return take(budget_of(task), 0, count + 1) ? g_hiredis->createArray(task, elements) : nullptr;
}

} // namespace

void watch_replies(redisContext* context, ReplyBudget& budget) {
  redisReader* reader = context->reader;
  if (g_hiredis == nullptr) {
    g_hiredis = reader->fn;
    g_counting = *reader->fn; // integers, nil and (hiredis 1.x) doubles as they are
    g_counting.createString = counted_string;
    g_counting.createArray = counted_array;
  }
  reader->fn = &g_counting;
  reader->privdata = &budget;
}

std::size_t buffered_bytes(const redisContext* context) {
  const redisReader* reader = context->reader;
  return reader->len > reader->pos ? reader->len - reader->pos : 0;
}

} // namespace state
