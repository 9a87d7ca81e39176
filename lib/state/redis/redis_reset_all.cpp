// RedisStore::try_reset_all (`bridge keys reset --all`): every key under the
// prefix, found by SCAN on the node that holds the pool, never by KEYS.
#include "state/redis/redis_marks.hpp"
#include "state/redis/redis_store.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <hiredis/hiredis.h>

namespace state {

util::Expected<std::size_t> RedisStore::try_reset_all() {
  using Count = util::Expected<std::size_t>;
  // The prefix is matched literally: escape what MATCH treats as a pattern.
  std::string pattern;
  for (char c : target().prefix) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
      pattern += '\\';
    }
    pattern += c;
  }
  pattern += k_pool_tag;
  pattern += ":*";
  // SCAN and DBSIZE name no key, so a Redis Cluster answers them from
  // whichever node the URL names: a command on a key of the pool's slot
  // first, so that a MOVED takes the walk to the node that holds the pool.
  // A server whose SCAN never comes back to cursor 0 must not hold bridge
  // for ever: the walk is bounded by what the database holds (DBSIZE).
  auto owner = m_connection.pipeline({{"EXISTS", pool_root()}});
  if (!owner) {
    return Count::failure(owner.error());
  }
  auto size = m_connection.pipeline({{"DBSIZE"}});
  if (!size) {
    return Count::failure(size.error());
  }
  long long keys = std::max(0LL, size->front().integer());
  long long bound = scan_call_bound(keys);
  std::string cursor = "0";
  std::size_t removed = 0;
  auto removed_so_far = [&] {
    return removed == 0 ? std::string("nothing was removed")
                        : fmt::format("{} mark{} were removed before that", removed,
                                      removed == 1 ? "" : "s");
  };
  long long calls = 0;
  // A signal ends the walk between two calls or inside one (the connection
  // throws then): either way the message says how much was removed.
  auto interrupted_now = [&] {
    return util::Error(static_cast<util::ExitCode>(util::interrupt_exit_code()),
                       fmt::format("{} ({})", util::interrupt_message(), removed_so_far()));
  };
  auto exchange = [&](std::vector<RedisCommand> commands) {
    try {
      return m_connection.pipeline(std::move(commands));
    } catch (const util::Error&) {
      if (!util::interrupted()) {
        throw;
      }
      throw interrupted_now();
    }
  };
  do {
    if (util::interrupted()) {
      throw interrupted_now();
    }
    if (++calls > bound) {
      return Count::failure(fmt::format("SCAN did not come back to cursor 0 after {} calls, more "
                                        "than {} keys (DBSIZE) can need; {}",
                                        bound, keys, removed_so_far()));
    }
    auto replies = exchange({{"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}});
    if (!replies) {
      return Count::failure(fmt::format("{}; {}", replies.error(), removed_so_far()));
    }
    const auto& reply = replies->front();
    if (reply.is_error() || reply.size() != 2) {
      return Count::failure(fmt::format("SCAN failed: {}; {}",
                                        reply.is_error() ? reply.text() : "unexpected answer",
                                        removed_so_far()));
    }
    cursor = RedisReply::text_of(reply.element(0));
    const redisReply* found = reply.element(1);
    // The pool's marks hash holds a line per mark (HVALS, in the round trip
    // of the UNLINK); a name of the earlier layout is one mark.
    RedisCommand unlink{"UNLINK"};
    std::vector<RedisCommand> commands;
    std::size_t marks = 0;
    for (std::size_t i = 0; found != nullptr && i < found->elements; ++i) {
      std::string name = RedisReply::text_of(found->element[i]);
      if (name.ends_with("}:marks")) {
        commands.push_back({"HVALS", name});
      }
      marks += name.find("}:mark:") != std::string::npos ? 1 : 0;
      unlink.push_back(std::move(name));
    }
    if (unlink.size() > 1) {
      std::size_t hashes = commands.size();
      commands.push_back(std::move(unlink));
      auto deleted = exchange(std::move(commands));
      if (!deleted) {
        return Count::failure(fmt::format("{}; {}", deleted.error(), removed_so_far()));
      }
      for (std::size_t h = 0; h < hashes; ++h) {
        for (std::size_t f = 0; f < (*deleted)[h].size(); ++f) {
          marks += count_mark_lines(RedisReply::text_of((*deleted)[h].element(f)));
        }
      }
      removed += marks;
    }
  } while (cursor != "0");
  return removed;
}

long long scan_call_bound(long long keys) {
  // SCAN ... COUNT 1000 visits at least a thousand slots of the table per
  // call (up to ten times as many when they are empty), and Redis keeps its
  // table under ten slots per key: a full walk takes about keys / 1000
  // calls, and never more than keys / 100. The floor covers a database
  // that grows while it is walked.
  constexpr long long k_floor = 1000;
  constexpr long long k_ceiling = 10'000'000;
  return std::clamp(keys / 100, k_floor, k_ceiling);
}

} // namespace state
