// The evhttp side of the listener. Every libevent call on a request or a
// connection happens on the loop thread; workers reach it through post().
#include "listener_server.hpp"

#include "listener_deadline.hpp"
#include "listener_reply.hpp"
#include "listener_workers.hpp"

#include "util/error.hpp"

#include <atomic>
#include <csignal>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <fmt/format.h>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace app {

struct ListenerServer::Impl final : ReplyLoop {
  ServerLimits limits;
  RequestHandler handler;
  BusyHandler busy;
  event_base* base = nullptr;
  evhttp* http = nullptr;
  evhttp_bound_socket* bound = nullptr;
  std::unique_ptr<RequestDeadlines> deadlines;
  event* sigint_event = nullptr;
  event* sigterm_event = nullptr;
  event* grace_event = nullptr;
  int port = 0;
  int grace_s = 5;
  int stopped_by = 0;
  bool stopping = false; // loop thread only
  std::atomic<int> in_flight{0};
  WorkerPool workers;

  // Runs `fn` on the loop thread (from any thread).
  void post(std::function<void()> fn) override {
    auto* heap = new std::function<void()>(std::move(fn));
    timeval zero{0, 0};
    auto run = [](evutil_socket_t, short, void* arg) {
      auto* f = static_cast<std::function<void()>*>(arg);
      (*f)();
      delete f;
    };
    if (event_base_once(base, -1, EV_TIMEOUT, run, heap, &zero) != 0) {
      delete heap;
    }
  }

  void begin_stop();
  std::size_t max_queued() const override { return limits.max_queued; }
  void request_done() override {
    if (in_flight.fetch_sub(1) == 1 && stopping) {
      event_base_loopbreak(base);
    }
  }
};

namespace {

const char* method_name(evhttp_cmd_type command) {
  switch (command) {
  case EVHTTP_REQ_GET:
    return "GET";
  case EVHTTP_REQ_POST:
    return "POST";
  case EVHTTP_REQ_HEAD:
    return "HEAD";
  case EVHTTP_REQ_PUT:
    return "PUT";
  case EVHTTP_REQ_DELETE:
    return "DELETE";
  case EVHTTP_REQ_OPTIONS:
    return "OPTIONS";
  case EVHTTP_REQ_TRACE:
    return "TRACE";
  case EVHTTP_REQ_CONNECT:
    return "CONNECT";
  case EVHTTP_REQ_PATCH:
    return "PATCH";
  }
  return "GET";
}

ClientRequest parse(evhttp_request* request) {
  ClientRequest parsed;
  parsed.method = method_name(evhttp_request_get_command(request));
  parsed.target = evhttp_request_get_uri(request);
  evkeyvalq* headers = evhttp_request_get_input_headers(request);
  for (evkeyval* header = headers->tqh_first; header != nullptr; header = header->next.tqe_next) {
    parsed.headers.emplace_back(header->key, header->value);
  }
  evbuffer* input = evhttp_request_get_input_buffer(request);
  std::size_t size = evbuffer_get_length(input);
  parsed.body.resize(size);
  if (size > 0) {
    evbuffer_copyout(input, parsed.body.data(), size);
  }
  return parsed;
}

// evhttp leaves Nagle's algorithm on for the connections it accepts: a reply
// written in pieces (status and headers, then the body) then waits for the
// client's ACK of the first piece, which clients delay by up to 40 ms. Off
// on the listening socket, once: Linux gives an accepted TCP connection the
// listening socket's TCP_NODELAY, so no request pays a setsockopt for it
// (test: integration.listener.nodelay).
void send_without_delay(evhttp_bound_socket* bound) {
  int on = 1;
  ::setsockopt(evhttp_bound_socket_get_fd(bound), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

void on_request(evhttp_request* request, void* arg) {
  auto& impl = *static_cast<ListenerServer::Impl*>(arg);
  impl.deadlines->arrived(request);
  auto reply = std::make_shared<EvReply>(impl, request);
  ClientRequest parsed = parse(request);
  int before = impl.in_flight.fetch_add(1);
  if (impl.stopping || before >= impl.limits.max_in_flight) {
    impl.busy(parsed, *reply); // not streamed: answered on this thread's next turn
    return;
  }
  reply->watch();
  auto shared = std::make_shared<const ClientRequest>(std::move(parsed));
  if (!impl.workers.run([&impl, reply, shared] { impl.handler(*shared, *reply); })) {
    impl.busy(*shared, *reply); // no thread to be had: as if full
  }
}

void on_signal(evutil_socket_t signal, short, void* arg) {
  auto& impl = *static_cast<ListenerServer::Impl*>(arg);
  if (impl.stopped_by == 0) {
    impl.stopped_by = static_cast<int>(signal);
  }
  impl.begin_stop();
}

} // namespace

void ListenerServer::Impl::begin_stop() {
  if (stopping) {
    return;
  }
  stopping = true;
  if (bound != nullptr) {
    evhttp_del_accept_socket(http, bound); // new connections are refused
    bound = nullptr;
  }
  if (in_flight.load() == 0) {
    event_base_loopbreak(base);
    return;
  }
  grace_event = evtimer_new(
      base,
      [](evutil_socket_t, short, void* b) { event_base_loopbreak(static_cast<event_base*>(b)); },
      base);
  timeval grace{grace_s, 0};
  evtimer_add(grace_event, &grace);
}

namespace {

void set_up(ListenerServer::Impl& impl, ServerLimits limits, RequestHandler handler,
            BusyHandler busy) {
  static std::once_flag threads_once;
  std::call_once(threads_once, [] { evthread_use_pthreads(); });
  impl.limits = limits;
  impl.handler = std::move(handler);
  impl.busy = std::move(busy);
  // Not libevent's epoll change list (EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST):
  // it saved an epoll_ctl per turn, but with it evhttp's replies that close
  // their connection (a refusal, headers over the limit) were lost under
  // churn (integration.listener.churn, .stream).
  impl.base = event_base_new();
  impl.http = impl.base ? evhttp_new(impl.base) : nullptr;
  if (impl.http == nullptr) {
    throw std::runtime_error("libevent could not make an HTTP server");
  }
  evhttp_set_max_body_size(impl.http, static_cast<ev_ssize_t>(limits.max_body));
  evhttp_set_max_headers_size(impl.http, static_cast<ev_ssize_t>(limits.max_headers));
  evhttp_set_timeout(impl.http, limits.idle_timeout_s);
  impl.deadlines =
      std::make_unique<RequestDeadlines>(impl.base, impl.http, limits.request_deadline_s);
  evhttp_set_allowed_methods(impl.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
                                            EVHTTP_REQ_OPTIONS);
  evhttp_set_gencb(impl.http, on_request, &impl);
}

} // namespace

ListenerServer::ListenerServer(int listening_fd, ServerLimits limits, RequestHandler handler,
                               BusyHandler busy)
    : m_impl(std::make_unique<Impl>()) {
  Impl& impl = *m_impl;
  set_up(impl, limits, std::move(handler), std::move(busy));
  impl.bound = evhttp_accept_socket_with_handle(impl.http, listening_fd);
  if (impl.bound == nullptr) {
    ::close(listening_fd);
    evhttp_free(impl.http);
    event_base_free(impl.base);
    throw util::Error(util::ExitCode::unavailable, "libevent could not serve the unix socket");
  }
}

ListenerServer::ListenerServer(const std::string& host, int port, ServerLimits limits,
                               RequestHandler handler, BusyHandler busy)
    : m_impl(std::make_unique<Impl>()) {
  Impl& impl = *m_impl;
  set_up(impl, limits, std::move(handler), std::move(busy));
  impl.bound =
      evhttp_bind_socket_with_handle(impl.http, host.c_str(), static_cast<ev_uint16_t>(port));
  if (impl.bound == nullptr) {
    evhttp_free(impl.http);
    event_base_free(impl.base);
    throw util::Error(util::ExitCode::unavailable,
                      fmt::format("cannot listen on {}:{}: {}", host, port,
                                  evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR())));
  }
  send_without_delay(impl.bound);
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  ::getsockname(evhttp_bound_socket_get_fd(impl.bound), reinterpret_cast<sockaddr*>(&address),
                &length);
  impl.port = address.ss_family == AF_INET6
                  ? ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port)
                  : ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

ListenerServer::~ListenerServer() {
  Impl& impl = *m_impl;
  for (event* e : {impl.sigint_event, impl.sigterm_event, impl.grace_event}) {
    if (e != nullptr) {
      event_free(e);
    }
  }
  // Every request ended its reply: what their workers still do (hand back
  // the transport, close the state) is short, and is waited for. Otherwise
  // the busy workers are left to end on their own.
  bool all_ended = impl.in_flight.load() == 0;
  impl.workers.stop(all_ended ? WorkerPool::Busy::wait : WorkerPool::Busy::leave);
  if (all_ended) {
    // With requests cut by the grace period, their workers still hold
    // requests of this server: the process is about to exit anyway.
    evhttp_free(impl.http);
    impl.deadlines.reset(); // after evhttp_free: the connections are gone
    event_base_free(impl.base);
  } else {
    impl.deadlines.release(); // as the rest: the workers still use the loop
  }
}

int ListenerServer::port() const { return m_impl->port; }

int ListenerServer::in_flight() const { return m_impl->in_flight.load(); }

int ListenerServer::run(bool stop_on_signals, int grace_s) {
  Impl& impl = *m_impl;
  impl.grace_s = grace_s;
  if (stop_on_signals) {
    impl.sigint_event = evsignal_new(impl.base, SIGINT, on_signal, &impl);
    impl.sigterm_event = evsignal_new(impl.base, SIGTERM, on_signal, &impl);
    evsignal_add(impl.sigint_event, nullptr);
    evsignal_add(impl.sigterm_event, nullptr);
  }
  event_base_dispatch(impl.base);
  return impl.stopped_by;
}

void ListenerServer::stop() {
  Impl* impl = m_impl.get();
  impl->post([impl] { impl->begin_stop(); });
}

} // namespace app
