#pragma once

// The ReplySink of one request of the listener's HTTP server (evhttp): the
// worker thread calls start, chunk and end; each is carried to the loop
// thread, which alone touches libevent's objects. A success streams
// (chunked, one HTTP chunk per piece, the worker waiting while more than
// max_queued bytes are not yet written); any other answer, and a success
// handed over whole(), is sent whole, with its length. ARCHITECTURE.md
// ("The listener") says why.

#include "listener_forward.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace app {

// What a reply needs of the server's loop.
class ReplyLoop {
public:
  virtual ~ReplyLoop() = default;
  // Runs `fn` on the loop thread; callable from any thread.
  virtual void post(std::function<void()> fn) = 0;
  // Loop thread: one request's answer has been handed to libevent.
  virtual void request_done() = 0;
  // Bytes of a streamed reply not yet written before the worker waits.
  virtual std::size_t max_queued() const = 0;
};

// The reason phrase of a status line.
const char* reason_phrase(long status);

// The sink of one request. The worker calls start/chunk/end; each is
// carried to the loop thread. A success streams (chunked, flushed per
// chunk, the worker waiting while more than max_queued bytes are not yet
// written); any other answer, and a success handed over whole(), is sent
// whole with its length.
class EvReply final : public ReplySink, public std::enable_shared_from_this<EvReply> {
public:
  EvReply(ReplyLoop& impl, evhttp_request* request) : m_impl(impl), m_request(request) {}

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
      m_cv.wait(lock, [&] { return m_gone || m_queued <= m_impl.max_queued(); });
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

  // Sent whole with its length, as an answer that is not a success: one
  // hand-over to the loop, one write.
  void whole(long status, const HeaderList& headers, std::string_view body) override {
    m_status = status;
    m_headers = headers;
    m_streaming = false;
    m_body.assign(body);
    end(true);
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
    evhttp_send_reply_start(m_request, static_cast<int>(m_status), reason_phrase(m_status));
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
      evhttp_send_reply(m_request, static_cast<int>(m_status), reason_phrase(m_status), buffer);
      evbuffer_free(buffer);
    }
    m_impl.request_done();
  }

  ReplyLoop& m_impl;
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

} // namespace app
