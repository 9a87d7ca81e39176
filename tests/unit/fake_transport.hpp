#pragma once

// An in-memory upstream::Transport that plays scripted answers, the way
// ninja tests its builder against an in-memory disk: the app's send runs as
// in production, with no socket, no thread and no sleep.

#include "upstream/transport.hpp"

#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace test {

// One scripted answer: a status and headers, the body in chunks, and how the
// transfer ends after them. With `reached` false nothing arrives at all (a
// refused connection, DNS): the handler sees nothing and `error` ends it.
struct ScriptedAnswer {
  long status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> chunks;
  upstream::TransferResult::Error error = upstream::TransferResult::Error::none;
  std::string message;
  bool reached = true;
};

// What the fake was asked to send.
struct SentRequest {
  std::string url;
  std::vector<std::string> headers;
  std::string body;
  std::string method;
};

class FakeTransport final : public upstream::Transport {
public:
  void script(ScriptedAnswer answer) { m_script.push_back(std::move(answer)); }

  using upstream::Transport::send;
  upstream::TransferResult send(std::string_view method, const std::string& url,
                                const std::vector<std::string>& headers, std::string_view body,
                                upstream::ResponseHandler& handler,
                                const upstream::AwsSigning* signing) override {
    m_sent.push_back({url, headers, std::string(body), std::string(method)});
    m_signed.push_back(signing != nullptr);
    upstream::TransferResult result;
    if (m_script.empty()) {
      // More attempts than the test expected: an unreachable upstream
      // makes the test fail on its exit code or its requests.
      result.error = upstream::TransferResult::Error::connect;
      result.message = "no scripted answer left";
      return result;
    }
    ScriptedAnswer answer = std::move(m_script.front());
    m_script.pop_front();
    // One connection, kept alive for every request, as libcurl's would be.
    m_connections = 1;
    if (!answer.reached) {
      result.error = answer.error;
      result.message = answer.message;
      return result;
    }
    upstream::Headers head;
    for (const auto& [name, value] : answer.headers) {
      head.add(name, value);
    }
    result.status = answer.status;
    result.received_bytes = true;
    handler.head(answer.status, head);
    for (const auto& chunk : answer.chunks) {
      if (!handler.body(chunk)) {
        result.error = upstream::TransferResult::Error::stopped;
        result.message = "stopped by the handler";
        return result;
      }
    }
    result.error = answer.error;
    result.message = answer.message;
    return result;
  }

  long connections_opened() const override { return m_connections; }

  const std::vector<SentRequest>& sent() const { return m_sent; }
  // Whether each request was to be signed (AwsSigning given).
  const std::vector<bool>& signed_requests() const { return m_signed; }
  std::size_t unplayed() const { return m_script.size(); }

private:
  std::deque<ScriptedAnswer> m_script;
  std::vector<SentRequest> m_sent;
  std::vector<bool> m_signed;
  long m_connections = 0;
};

} // namespace test
