// The evhttp side of the listener. Every libevent call on a request or a
// connection happens on the loop thread; workers reach it through post().
#include "listener_server.hpp"

#include "util/error.hpp"

#include <atomic>
#include <condition_variable>
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
#include <sys/socket.h>
#include <system_error>
#include <thread>

namespace app {

struct ListenerServer::Impl {
  ServerLimits limits;
  RequestHandler handler;
  BusyHandler busy;
  event_base* base = nullptr;
  evhttp* http = nullptr;
  evhttp_bound_socket* bound = nullptr;
  event* sigint_event = nullptr;
  event* sigterm_event = nullptr;
  event* grace_event = nullptr;
  int port = 0;
  int grace_s = 5;
  int stopped_by = 0;
  bool stopping = false; // loop thread only
  std::atomic<int> in_flight{0};

  // Runs `fn` on the loop thread (from any thread).
  void post(std::function<void()> fn) {
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
  void request_done() {
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

const char* reason(long status) {
  switch (status) {
  case 200:
    return "OK";
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 413:
    return "Payload Too Large";
  case 429:
    return "Too Many Requests";
  case 500:
    return "Internal Server Error";
  case 501:
    return "Not Implemented";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 529:
    return "Overloaded";
  default:
    return status < 400 ? "OK" : "Error";
  }
}

// The sink of one request. The worker calls start/chunk/end; each is
// carried to the loop thread. A success streams (chunked, flushed per
// chunk, the worker waiting while more than max_queued bytes are not yet
// written); any other answer is sent whole with its length.
class EvReply final : public ReplySink, public std::enable_shared_from_this<EvReply> {
public:
  EvReply(ListenerServer::Impl& impl, evhttp_request* request) : m_impl(impl), m_request(request) {}

  // Loop thread: notices a client that goes away before the answer ends.
  void watch() {
    if (evhttp_connection* connection = evhttp_request_get_connection(m_request)) {
      evhttp_connection_set_closecb(connection, &EvReply::on_close, this);
    }
  }

  void start(long status, const HeaderList& headers) override {
    m_status = status;
    m_headers = headers;
    m_streaming = status >= 200 && status < 300;
    if (m_streaming) {
      auto self = shared_from_this();
      m_impl.post([self] { self->loop_start(); });
    }
  }

  bool chunk(std::string_view bytes) override {
    if (!m_streaming) {
      m_body.append(bytes);
      return true;
    }
    if (bytes.empty()) {
      return !gone();
    }
    {
      std::unique_lock<std::mutex> lock(m_mutex);
      m_cv.wait(lock, [&] { return m_gone || m_queued <= m_impl.limits.max_queued; });
      if (m_gone) {
        return false;
      }
      m_queued += bytes.size();
    }
    evbuffer* buffer = evbuffer_new();
    evbuffer_add(buffer, bytes.data(), bytes.size());
    auto self = shared_from_this();
    m_impl.post([self, buffer] { self->loop_chunk(buffer); });
    return true;
  }

  void end(bool complete) override {
    auto self = shared_from_this();
    m_impl.post([self, complete] { self->loop_end(complete); });
  }

private:
  bool gone() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_gone;
  }
  void mark_gone() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_gone = true;
    m_cv.notify_all();
  }
  static void on_close(evhttp_connection*, void* arg) {
    auto* self = static_cast<EvReply*>(arg);
    self->mark_gone();
    if (self->m_cut_pending) {
      auto keep = self->m_keep;
      self->m_impl.post([keep] { keep->loop_cut(); });
    }
  }
  static void on_written(evhttp_connection*, void* arg) {
    auto* self = static_cast<EvReply*>(arg);
    {
      std::lock_guard<std::mutex> lock(self->m_mutex);
      self->m_queued -= std::min(self->m_queued, self->m_in_output);
      self->m_in_output = 0;
      self->m_cv.notify_all();
    }
    if (self->m_cut_pending) {
      // What was sent is out: now the connection may be closed.
      auto keep = self->m_keep;
      self->m_impl.post([keep] { keep->loop_cut(); });
    }
  }

  // Closes the connection of a reply whose upstream broke off (loop
  // thread), once its bytes are written; frees the request either way.
  void loop_cut() {
    if (!m_cut_pending) {
      return;
    }
    m_cut_pending = false;
    auto keep = std::move(m_keep); // this lives until the end of this call
    if (evhttp_connection* connection = evhttp_request_get_connection(m_request)) {
      evhttp_connection_set_closecb(connection, nullptr, nullptr);
      evhttp_connection_free(connection); // frees the request with it
    } else {
      evhttp_send_reply_end(m_request); // detached: this frees it
    }
  }

  void add_headers() {
    evkeyvalq* out = evhttp_request_get_output_headers(m_request);
    for (const auto& [name, value] : m_headers) {
      evhttp_add_header(out, name.c_str(), value.c_str());
    }
  }

  void loop_start() {
    if (evhttp_request_get_connection(m_request) == nullptr) {
      mark_gone();
      return;
    }
    add_headers();
    evhttp_send_reply_start(m_request, static_cast<int>(m_status), reason(m_status));
  }

  void loop_chunk(evbuffer* buffer) {
    std::size_t size = evbuffer_get_length(buffer);
    if (evhttp_request_get_connection(m_request) == nullptr || gone()) {
      evbuffer_free(buffer);
      mark_gone();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_in_output += size;
    }
    evhttp_send_reply_chunk_with_cb(m_request, buffer, &EvReply::on_written, this);
    evbuffer_free(buffer);
    m_chunks_sent = true;
  }

  void loop_end(bool complete) {
    evhttp_connection* connection = evhttp_request_get_connection(m_request);
    if (!complete && m_streaming && connection != nullptr) {
      // The client must see the body cut off, as the upstream's was: the
      // connection is closed without the chunked body's end, once what was
      // relayed is written (closing now would drop it from the buffer).
      evbuffer* output = bufferevent_get_output(evhttp_connection_get_bufferevent(connection));
      m_cut_pending = true;
      m_keep = shared_from_this();
      if (!m_chunks_sent || evbuffer_get_length(output) == 0) {
        loop_cut();
      } // else on_written (the last chunk's callback) or on_close calls it
      m_impl.request_done();
      return;
    }
    if (connection != nullptr) {
      evhttp_connection_set_closecb(connection, nullptr, nullptr);
    }
    if (m_streaming) {
      // Either call frees the request when its client has gone.
      evhttp_send_reply_end(m_request);
    } else {
      add_headers();
      evbuffer* buffer = evbuffer_new();
      evbuffer_add(buffer, m_body.data(), m_body.size());
      evhttp_send_reply(m_request, static_cast<int>(m_status), reason(m_status), buffer);
      evbuffer_free(buffer);
    }
    m_impl.request_done();
  }

  ListenerServer::Impl& m_impl;
  evhttp_request* m_request;
  long m_status = 0;
  HeaderList m_headers;
  bool m_streaming = false;
  std::string m_body; // an answer sent whole
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_gone = false;
  std::size_t m_queued = 0;        // bytes handed over and not yet written
  std::size_t m_in_output = 0;     // of which in the connection's output buffer
  bool m_chunks_sent = false;      // loop thread only, as the two below
  bool m_cut_pending = false;      // closing once the output is written
  std::shared_ptr<EvReply> m_keep; // this, while a cut is pending
};

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

void on_request(evhttp_request* request, void* arg) {
  auto& impl = *static_cast<ListenerServer::Impl*>(arg);
  auto reply = std::make_shared<EvReply>(impl, request);
  ClientRequest parsed = parse(request);
  int before = impl.in_flight.fetch_add(1);
  if (impl.stopping || before >= impl.limits.max_in_flight) {
    impl.busy(parsed, *reply); // not streamed: answered on this thread's next turn
    return;
  }
  reply->watch();
  auto shared = std::make_shared<const ClientRequest>(std::move(parsed));
  try {
    std::thread([&impl, reply, shared] { impl.handler(*shared, *reply); }).detach();
  } catch (const std::system_error&) {
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

ListenerServer::ListenerServer(const std::string& host, int port, ServerLimits limits,
                               RequestHandler handler, BusyHandler busy)
    : m_impl(std::make_unique<Impl>()) {
  static std::once_flag threads_once;
  std::call_once(threads_once, [] { evthread_use_pthreads(); });
  Impl& impl = *m_impl;
  impl.limits = limits;
  impl.handler = std::move(handler);
  impl.busy = std::move(busy);
  impl.base = event_base_new();
  impl.http = impl.base ? evhttp_new(impl.base) : nullptr;
  if (impl.http == nullptr) {
    throw std::runtime_error("libevent could not make an HTTP server");
  }
  evhttp_set_max_body_size(impl.http, static_cast<ev_ssize_t>(limits.max_body));
  evhttp_set_max_headers_size(impl.http, static_cast<ev_ssize_t>(limits.max_headers));
  evhttp_set_timeout(impl.http, limits.idle_timeout_s);
  evhttp_set_allowed_methods(impl.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
                                            EVHTTP_REQ_OPTIONS);
  evhttp_set_gencb(impl.http, on_request, &impl);
  impl.bound =
      evhttp_bind_socket_with_handle(impl.http, host.c_str(), static_cast<ev_uint16_t>(port));
  if (impl.bound == nullptr) {
    evhttp_free(impl.http);
    event_base_free(impl.base);
    throw util::Error(util::ExitCode::unavailable,
                      fmt::format("cannot listen on {}:{}: {}", host, port,
                                  evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR())));
  }
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
  if (impl.in_flight.load() == 0) {
    // With requests cut by the grace period, their workers still hold
    // requests of this server: the process is about to exit anyway.
    evhttp_free(impl.http);
    event_base_free(impl.base);
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
