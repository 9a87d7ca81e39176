#pragma once

// The listener's HTTP server: libevent's evhttp parses requests and applies
// the limits on one event-loop thread; each request is handed to a worker
// thread that runs the blocking walk (listener_forward.hpp) and writes its
// answer through a ReplySink whose every call is carried back to the loop
// thread. ARCHITECTURE.md ("The listener") says why this shape.

#include "listener_forward.hpp"

#include <functional>
#include <memory>
#include <string>

namespace app {

struct ServerLimits {
  std::size_t max_body = 32u << 20;    // larger: 413
  std::size_t max_headers = 64u << 10; // larger: refused (see docs/contract.md)
  int max_in_flight = 256;             // requests being served at once; more: 503
  int idle_timeout_s = 120;            // a client silent this long is dropped
  double request_deadline_s = 60;      // a request not arrived whole this long after its
                                       // connection was ready for it: dropped
  std::size_t max_queued = 256u << 10; // bytes of a reply not yet written before the
                                       // worker waits (back-pressure)
};

// A request as parsed, for the worker: method, target (path and query, as
// sent), headers, body.
struct ClientRequest {
  std::string method;
  std::string target;
  HeaderList headers;
  std::string body;
};

// Runs on a worker thread for each request; writes the answer to the sink
// (start, chunks, end) before it returns.
using RequestHandler = std::function<void(const ClientRequest&, ReplySink&)>;

// Answers a request when more than max_in_flight are being served: runs
// on the loop thread, writes to the sink at once.
using BusyHandler = std::function<void(const ClientRequest&, ReplySink&)>;

class ListenerServer {
public:
  // Binds `host`:`port` (0: a free port). Throws util::Error (exit 69) when
  // it cannot.
  ListenerServer(const std::string& host, int port, ServerLimits limits, RequestHandler handler,
                 BusyHandler busy);
  // Serves on a socket already listening (a unix socket: listener_unix.hpp),
  // which it closes when it stops accepting. port() is then 0.
  ListenerServer(int listening_fd, ServerLimits limits, RequestHandler handler, BusyHandler busy);
  ~ListenerServer();
  ListenerServer(const ListenerServer&) = delete;
  ListenerServer& operator=(const ListenerServer&) = delete;

  int port() const;

  // Serves until stop() (or SIGINT/SIGTERM when `stop_on_signals`), then
  // refuses new connections and gives requests in flight `grace_s` seconds
  // to finish. Returns the signal that stopped it (0: stop()).
  int run(bool stop_on_signals, int grace_s = 5);
  // Thread-safe.
  void stop();
  // Requests still being served (after run(): those the grace period cut).
  int in_flight() const;

  struct Impl;

private:
  std::unique_ptr<Impl> m_impl;
};

} // namespace app
