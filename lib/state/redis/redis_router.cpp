#include "state/redis/redis_router.hpp"

#include <fmt/format.h>
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
