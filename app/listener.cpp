#include "listener.hpp"

#include "invocation.hpp"
#include "key_labels.hpp"
#include "narrator.hpp"
#include "pool_state.hpp"
#include "send_options.hpp"

#include "util/error.hpp"
#include "util/printable.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/random.h>

namespace app {

void ListenerOptions::add_to(CLI::App& sub) {
  sub.add_option("--retries", retries,
                 "Same-key retries of an answer that is not the key's fault (default 0:\n"
                 "the client behind the listener retries on its own)")
      ->check(CLI::Range(0, 10));
  sub.add_option("--wait", wait,
                 "Hold a request while every key cools, up to MAX seconds (default\n"
                 "300), instead of answering 429")
      ->type_name("MAX")
      ->expected(0, 1);
  sub.add_option("--max-connections", max_connections,
                 "Requests served at once; more are answered 503 (default 256)")
      ->check(CLI::Range(1, 100000));
  sub.add_option("--timeout", timeout,
                 "Whole-request timeout toward the upstream, seconds (default 600)")
      ->check(CLI::PositiveNumber);
  sub.add_option("--connect-timeout", connect_timeout,
                 "Connect timeout toward the upstream, seconds (default 10)")
      ->check(CLI::PositiveNumber);
  sub.add_option("--idle-timeout", idle_timeout,
                 "Give up an upstream answer, and drop a client, silent this long,\n"
                 "seconds (default 120)")
      ->check(CLI::PositiveNumber);
  sub.add_option("--request-deadline", request_deadline,
                 "Drop a client whose request (head and body) has not arrived whole\n"
                 "this long after its connection was ready for it, seconds (default 60)")
      ->check(CLI::PositiveNumber);
}

ListenAddress parse_listen_address(const std::string& text) {
  auto refuse = [&](const std::string& why) {
    throw util::Error(util::ExitCode::config,
                      fmt::format("--listen {}: {}", util::printable(text), why));
  };
  if (text.rfind("unix:", 0) == 0) {
    ListenAddress address;
    address.unix_path = text.substr(5);
    if (address.unix_path.empty()) {
      refuse("expected unix:PATH, such as unix:/tmp/bridge.sock");
    }
    if (address.unix_path.size() > max_unix_path()) {
      refuse(fmt::format("the path is longer than a socket address holds ({} bytes)",
                         max_unix_path()));
    }
    return address;
  }
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    refuse("expected HOST:PORT, such as 127.0.0.1:8787");
  }
  std::string host = text.substr(0, colon);
  std::string port_text = text.substr(colon + 1);
  if (port_text.find_first_not_of("0123456789") != std::string::npos || port_text.size() > 5 ||
      std::stol(port_text) > 65535) {
    refuse("the port is not a number from 0 to 65535");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") {
    host = "127.0.0.1";
  }
  in_addr v4{};
  in6_addr v6{};
  bool loopback =
      (::inet_pton(AF_INET, host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127) ||
      (::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6));
  if (!loopback) {
    refuse("bridge listens on loopback only (127.0.0.1, ::1): the listener hands out the "
           "pool to whoever can reach it with the token");
  }
  return ListenAddress{host, static_cast<int>(std::stol(port_text)), {}};
}

HeaderList client_environment(const ListenAddress& address, int port, const std::string& token) {
  if (!address.unix_path.empty()) {
    return {{"BRIDGE_UNIX_SOCKET", address.unix_path}, {"BRIDGE_TOKEN", token}};
  }
  std::string host =
      address.host.find(':') != std::string::npos ? "[" + address.host + "]" : address.host;
  std::string root = fmt::format("http://{}:{}", host, port);
  return {{"ANTHROPIC_BASE_URL", root + "/anthropic"},
          {"ANTHROPIC_API_KEY", token},
          {"OPENAI_BASE_URL", root + "/openai/v1"},
          {"OPENAI_API_KEY", token}};
}

std::unique_ptr<ListenerServer> make_server(Listener& listener, const ListenAddress& address,
                                            std::optional<UnixSocket>& socket) {
  RequestHandler handle = [&listener](const ClientRequest& request, ReplySink& sink) {
    listener.handle(request, sink);
  };
  BusyHandler busy = [&listener](const ClientRequest& request, ReplySink& sink) {
    listener.busy(request, sink);
  };
  if (address.unix_path.empty()) {
    return std::make_unique<ListenerServer>(address.host, address.port, listener.limits(),
                                            std::move(handle), std::move(busy));
  }
  socket.emplace(address.unix_path);
  return std::make_unique<ListenerServer>(socket->release(), listener.limits(), std::move(handle),
                                          std::move(busy));
}

std::string new_token() {
  unsigned char bytes[32];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      throw std::runtime_error("the system gave no random bytes for a token");
    }
    got += static_cast<std::size_t>(n);
  }
  std::string token;
  for (unsigned char byte : bytes) {
    token += fmt::format("{:02x}", byte);
  }
  return token;
}

Listener::Listener(const GlobalOptions& global, const ListenerOptions& options, std::string token)
    : m_options(options), m_token(std::move(token)), m_console(global.console()) {
  // --key-file and --base-url belong to the provider --provider names
  // (anthropic by default); the other provider is resolved from its own
  // variables and default key file.
  std::string chosen = resolve_provider(global)->profile().name;
  const auto& served = upstream::listener_provider_names();
  if (std::find(served.begin(), served.end(), chosen) == served.end()) {
    throw util::Error(util::ExitCode::usage,
                      fmt::format("the listener does not serve the {} provider; use ask or stream "
                                  "with --provider {}",
                                  chosen, chosen));
  }
  for (const auto& name : upstream::listener_provider_names()) {
    ListenerPool pool;
    pool.global = global;
    pool.global.provider = name;
    if (name != chosen) {
      pool.global.base_url.reset();
      pool.global.key_file.reset();
      if (env("BRIDGE_KEY_FILE")) {
        pool.global.key_file = default_key_file(upstream::make_provider(name)->profile());
      }
    }
    Invocation invocation(pool.global, m_console);
    pool.base_url = invocation.base_url();
    try {
      pool.source = invocation.keys();
    } catch (const util::Error& error) {
      if (name == chosen && global.key_file) {
        throw; // a key file named on the command line must be usable
      }
      pool.missing = error.what();
      m_console.detail(fmt::format("{}: no pool ({})", name, pool.missing));
    }
    pool.provider = upstream::make_provider(name);
    m_pools.push_back(std::move(pool));
  }
  bool any = false;
  for (const auto& pool : m_pools) {
    any = any || pool.source.has_value();
  }
  if (!any) {
    throw util::Error(util::ExitCode::config, m_pools.front().missing);
  }
  SendOptions send;
  send.wait = options.wait;
  wait_limit(send); // a malformed --wait is a usage error now, not on the first request
}

ServerLimits Listener::limits() const {
  ServerLimits limits;
  limits.max_in_flight = m_options.max_connections;
  limits.idle_timeout_s = static_cast<int>(m_options.idle_timeout + 0.999);
  limits.request_deadline_s = m_options.request_deadline;
  return limits;
}

const ListenerPool* Listener::route(std::string_view target, std::string& rest) const {
  std::string_view path = path_of(target);
  for (const auto& pool : m_pools) {
    const std::string& prefix = pool.provider->profile().listen_prefix;
    if (path.substr(0, prefix.size()) == prefix &&
        (path.size() == prefix.size() || path[prefix.size()] == '/')) {
      rest = std::string(target.substr(prefix.size()));
      return &pool;
    }
  }
  return nullptr;
}

std::unique_ptr<upstream::CurlTransport> Listener::take_transport() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_transports.empty()) {
      auto transport = std::move(m_transports.back());
      m_transports.pop_back();
      return transport;
    }
  }
  upstream::TransportOptions options;
  options.connect_timeout = seconds_to_ms(m_options.connect_timeout);
  options.total_timeout = seconds_to_ms(m_options.timeout);
  options.idle_timeout = seconds_to_ms(m_options.idle_timeout);
  // A blocking answer is silent until it is complete: --timeout bounds it.
  options.idle_before_first_byte = false;
  return std::make_unique<upstream::CurlTransport>(options);
}

void Listener::give_back(std::unique_ptr<upstream::CurlTransport> transport) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_transports.push_back(std::move(transport));
}

void Listener::busy(const ClientRequest& request, ReplySink& sink) {
  std::string rest;
  const ListenerPool* pool = route(request.target, rest);
  const upstream::Provider& provider = pool ? *pool->provider : *m_pools.front().provider;
  reply_error(sink, provider, 503, "overloaded_error",
              fmt::format("bridge is serving {} requests already (--max-connections)",
                          m_options.max_connections),
              {{"retry-after", "1"}});
}

void Listener::handle(const ClientRequest& request, ReplySink& sink) {
  auto begun = std::chrono::steady_clock::now();
  std::string rest;
  const ListenerPool* pool = route(request.target, rest);
  const upstream::Provider& shape = pool ? *pool->provider : *m_pools.front().provider;
  ForwardSummary summary;
  if (!carries_token(request.headers, m_token)) {
    summary.status = 401;
    reply_error(sink, shape, 401, "authentication_error",
                "this bridge listener needs its token (x-api-key or authorization: Bearer)");
  } else if (pool == nullptr) {
    summary.status = 404;
    reply_error(sink, shape, 404, "not_found_error",
                "bridge serves /anthropic/... and /openai/v1/... only");
  } else if (!pool->source) {
    summary.status = 503;
    reply_error(
        sink, shape, 503, "api_error",
        fmt::format("bridge has no {} keys: {}", pool->provider->profile().name, pool->missing));
  } else if (key_bound_path(rest)) {
    summary.status = 501;
    reply_error(sink, shape, 501, "not_implemented_error",
                "bridge does not forward batches or files: such an object belongs to the key "
                "that created it, and the pool may answer with another key; send these "
                "requests with one key, not through bridge");
  } else {
    util::SystemClock clock;
    bool byok = pool->source->mode == KeySource::Mode::byok;
    pool::MemoryMarkStore memory_store;
    std::optional<PoolState> pool_state;
    if (!byok) {
      pool_state.emplace(pool->global, pool->source->keys, clock, m_console, &m_location_check);
    }
    pool::PoolStore& store =
        byok ? static_cast<pool::PoolStore&>(memory_store) : pool_state->store();
    auto transport = take_transport();
    SendWorld world{*pool->provider, pool->base_url, *pool->source, store,
                    clock,           *transport,     m_console,     {}};
    // The affinities live where the marks do (PoolState: beside the state
    // file, or on Redis), opened per request as the marks are, so the
    // listener's threads and other processes share them. A lone key from
    // the environment has no choice to make.
    if (pool_state) {
      world.affinities = &pool_state->affinities();
    }
    ForwardOptions options;
    options.retries = m_options.retries.value_or(0);
    SendOptions send;
    send.wait = m_options.wait;
    options.wait_max = wait_limit(send);
    ForwardRequest forwarded{request.method, rest, request.headers, request.body};
    summary = forward(world, options, forwarded, sink);
    give_back(std::move(transport));
  }
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begun).count();
  log(request, summary, ms);
}

void Listener::log(const ClientRequest& request, const ForwardSummary& summary, double ms) const {
  if (!m_console.verbose) {
    return;
  }
  std::string key = summary.key ? describe_key(*summary.key) : std::string("-");
  m_console.detail(fmt::format(
      "{} {} model={} key={} {} {:.1f} ms", util::printable(request.method),
      util::printable(path_of(request.target)),
      summary.model.empty() ? "-" : util::printable(summary.model), key, summary.status, ms));
}

} // namespace app
