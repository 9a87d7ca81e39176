#pragma once

// What `bridge exec` and `bridge serve` share: the pools behind the
// listener's prefixes (one per provider, resolved as `--provider NAME`
// would resolve it), the token every request must carry, and the handling
// of one request: the token, the prefix, then the walk (listener_forward).

#include "common.hpp"
#include "console.hpp"
#include "listener_forward.hpp"
#include "listener_server.hpp"
#include "listener_unix.hpp"

#include "state/file/location_check.hpp"
#include "upstream/curl_transport.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace app {

// Options of `exec` and `serve` beside the global ones.
struct ListenerOptions {
  std::optional<int> retries;      // 0 unless given: the client retries on its own
  std::optional<std::string> wait; // MAX seconds
  int max_connections = 256;
  double timeout = 600;
  double connect_timeout = 10;
  double idle_timeout = 120;
  double request_deadline = 60;

  void add_to(CLI::App& sub);
};

// One provider's pool behind its prefix: resolved once when the listener
// starts. A provider with no keys is kept with the reason, and its prefix
// answers 503.
struct ListenerPool {
  std::unique_ptr<upstream::Provider> provider;
  GlobalOptions global; // as `--provider NAME` with the command's options
  std::string base_url;
  std::optional<KeySource> source;
  std::string missing; // why there are no keys
};

class Listener {
public:
  // Resolves each provider's pool; throws util::Error (exit 78) when no
  // provider has keys, or for a configuration error that is not "no keys"
  // (a bad base URL, a key of another provider).
  Listener(const GlobalOptions& global, const ListenerOptions& options, std::string token);

  // The server's handlers.
  void handle(const ClientRequest& request, ReplySink& sink);
  void busy(const ClientRequest& request, ReplySink& sink);

  const std::vector<ListenerPool>& pools() const { return m_pools; }
  const std::string& token() const { return m_token; }
  ServerLimits limits() const;

private:
  const ListenerPool* route(std::string_view path, std::string& rest) const;
  void log(const ClientRequest& request, const ForwardSummary& summary, double ms) const;
  std::unique_ptr<upstream::CurlTransport> take_transport();
  void give_back(std::unique_ptr<upstream::CurlTransport> transport);

  ListenerOptions m_options;
  std::string m_token;
  Console m_console;
  std::vector<ListenerPool> m_pools;
  std::mutex m_mutex; // m_transports and the -v lines
  std::vector<std::unique_ptr<upstream::CurlTransport>> m_transports; // idle, connections kept
  // The state file's location, found safe, is trusted for a moment rather
  // than walked again for every request (location_check.hpp).
  state::LocationCheck m_location_check;
};

// An address to listen on, from --listen ("HOST:PORT", "[::1]:PORT",
// "unix:PATH").
struct ListenAddress {
  std::string host; // as evhttp binds it: 127.0.0.1, ::1
  int port = 0;
  std::string unix_path; // set for unix:PATH (host and port unused)
};
// Parses --listen. Only loopback is served (127.0.0.0/8, ::1, localhost,
// or a unix socket): anything else, and anything malformed, throws
// util::Error (exit 78). A unix PATH is checked when it is bound
// (listener_unix.hpp).
ListenAddress parse_listen_address(const std::string& text);

// The variables a client of the listener needs: the base URLs of both
// prefixes, and the token as each provider's API key. On a unix socket,
// which the SDKs cannot reach, the socket's path and the token under names
// no SDK reads (BRIDGE_UNIX_SOCKET, BRIDGE_TOKEN): a tool that knows only
// TCP is not pointed anywhere it could send the token.
HeaderList client_environment(const ListenAddress& address, int port, const std::string& token);
// The variables a client must not keep from elsewhere (a credential the
// SDK would prefer to the API key).
inline const std::vector<std::string> k_client_unset = {"ANTHROPIC_AUTH_TOKEN"};

// The server `exec` and `serve` run: `listener`'s handlers on `address`, a
// loopback port or a unix socket (bound into `socket`, which removes its
// file when it goes). Throws util::Error as ListenerServer and UnixSocket do.
std::unique_ptr<ListenerServer> make_server(Listener& listener, const ListenAddress& address,
                                            std::optional<UnixSocket>& socket);

// The contents of a new token: 256 random bits in hex. Throws util::Error
// (exit 70) when the system has no randomness to give.
std::string new_token();

} // namespace app
