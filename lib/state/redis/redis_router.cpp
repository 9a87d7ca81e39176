#include "state/redis/redis_router.hpp"

#include "util/error.hpp"
#include "util/interrupt.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <thread>
#include <utility>

namespace state {

namespace {

using Replies = util::Expected<std::vector<RedisReply>>;

// The redirection a reply carries: nullopt for any other reply.
util::Expected<std::optional<Redirect>> redirect_of(const RedisReply& reply) {
  if (!reply.is_error()) {
    return std::optional<Redirect>();
  }
  return parse_redirect(reply.text());
}

} // namespace

RedisRouter::RedisRouter(RedisTarget target) {
  m_nodes.push_back(std::make_unique<RedisConnection>(std::move(target)));
  m_owner = m_nodes.front().get();
}

Replies RedisRouter::fail(std::string message, bool configuration) {
  if (m_failure.empty()) {
    m_failure = mask_password(std::move(message), target().password);
    m_configuration = configuration;
  }
  return Replies::failure(m_failure);
}

util::Expected<RedisConnection*> RedisRouter::node_for(const RedisTarget& to) {
  for (auto& node : m_nodes) {
    const RedisTarget& known = node->target();
    if (known.transport == to.transport && known.host == to.host && known.port == to.port) {
      return node.get();
    }
  }
  if (m_nodes.size() >= k_max_nodes) {
    return util::Expected<RedisConnection*>::failure(
        fmt::format("redirected to more than {} servers in one invocation", k_max_nodes));
  }
  m_nodes.push_back(std::make_unique<RedisConnection>(to));
  return m_nodes.back().get();
}

Replies RedisRouter::pipeline(const std::vector<RedisCommand>& commands) {
  if (!m_failure.empty()) {
    return Replies::failure(m_failure);
  }
  auto deadline = std::chrono::steady_clock::now() + target().timeout;
  auto replies = routed(commands);
  // TRYAGAIN: a command on several keys while their slot migrates, some
  // of them not yet on the new node. A migration of a pool's few keys takes
  // milliseconds: ask again, pausing longer each time, within the timeout.
  for (util::Millis pause{10}; replies; pause = std::min(pause * 2, k_longest_pause)) {
    std::vector<std::size_t> busy;
    for (std::size_t i = 0; i < replies->size(); ++i) {
      if ((*replies)[i].is_error() && (*replies)[i].text().starts_with("TRYAGAIN")) {
        busy.push_back(i);
      }
    }
    if (busy.empty() || std::chrono::steady_clock::now() + pause > deadline) {
      return replies; // what is left is the store's to report
    }
    pause_for(pause);
    std::vector<RedisCommand> again;
    for (std::size_t i : busy) {
      again.push_back(commands[i]);
    }
    auto answers = routed(again);
    if (!answers) {
      return answers;
    }
    for (std::size_t j = 0; j < busy.size(); ++j) {
      (*replies)[busy[j]] = std::move((*answers)[j]);
    }
  }
  return replies;
}

void RedisRouter::pause_for(util::Millis pause) {
  // In slices, so that SIGINT and SIGTERM end it at once, as they end a
  // wait for the server.
  auto end = std::chrono::steady_clock::now() + pause;
  while (std::chrono::steady_clock::now() < end) {
    if (util::interrupted()) {
      fail(util::interrupt_message(), false);
      throw util::Error(static_cast<util::ExitCode>(util::interrupt_exit_code()),
                        util::interrupt_message());
    }
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        end - std::chrono::steady_clock::now(), std::chrono::milliseconds(10)));
  }
}

Replies RedisRouter::routed(const std::vector<RedisCommand>& commands) {
  auto replies = m_owner->pipeline(commands);
  if (!replies) {
    return fail(replies.error(), m_owner->failure_is_configuration());
  }
  // Who answered each reply, and how often its command was redirected.
  std::vector<RedisConnection*> answered(commands.size(), m_owner);
  std::vector<int> hops(commands.size(), 0);
  for (;;) {
    // The first reply that is a redirection, and every other one that
    // names the same kind and node: sent again together, in one write.
    std::optional<Redirect> first;
    std::vector<std::size_t> group;
    for (std::size_t i = 0; i < replies->size(); ++i) {
      auto redirect = redirect_of((*replies)[i]);
      if (!redirect) {
        return fail(redirect.error(), false);
      }
      if (!*redirect) {
        continue;
      }
      if (!first) {
        first = **redirect;
      } else if ((*redirect)->kind != first->kind || (*redirect)->host != first->host ||
                 (*redirect)->port != first->port || answered[i] != answered[group.front()]) {
        continue;
      }
      if (++hops[i] > k_max_redirects) {
        return fail(fmt::format("more than {} redirections of one command (the last: {}): a "
                                "redirection loop",
                                k_max_redirects, (*redirect)->display()),
                    false);
      }
      group.push_back(i);
    }
    if (!first) {
      return replies;
    }
    auto to = redirect_target(answered[group.front()]->target(), *first);
    if (!to) {
      return fail(to.error(), false);
    }
    auto node = node_for(*to);
    if (!node) {
      return fail(node.error(), false);
    }
    bool ask = first->kind == Redirect::Kind::ask;
    std::vector<RedisCommand> again;
    for (std::size_t i : group) {
      if (ask) {
        again.push_back({"ASKING"});
      }
      again.push_back(commands[i]);
    }
    auto answers = (*node)->pipeline(again);
    if (!answers) {
      return fail(fmt::format("{}: {}", first->display(), answers.error()),
                  (*node)->failure_is_configuration());
    }
    for (std::size_t j = 0; j < group.size(); ++j) {
      // After ASKING's own reply (OK), the command's.
      (*replies)[group[j]] = std::move((*answers)[ask ? 2 * j + 1 : j]);
      answered[group[j]] = *node;
    }
    if (!ask) {
      m_owner = *node; // the slot lives there now: the next commands go there first
    }
  }
}

} // namespace state
