#pragma once

// An in-memory upstream::Prober that answers each probe with the attempt
// scripted for the key its headers carry, the way fake_transport.hpp plays
// scripted answers to a send: `keys check` runs as in production, with no
// socket and no thread.

#include "upstream/prober.hpp"

#include <map>
#include <string>
#include <vector>

namespace test {

class FakeProber final : public upstream::Prober {
public:
  // The attempt a probe carrying `header` (say "x-api-key: SECRET") gets.
  void script(const std::string& header, upstream::Attempt attempt) {
    m_script[header] = std::move(attempt);
  }

  std::vector<upstream::Attempt>
  probe(const std::vector<upstream::HttpRequest>& requests) override {
    ++m_batches;
    std::vector<upstream::Attempt> out;
    for (const auto& request : requests) {
      const auto& headers = request.headers;
      m_sent.push_back({request.url, headers, request.method, request.body});
      upstream::Attempt attempt;
      // A probe nobody scripted: the upstream cannot be reached.
      attempt.transfer.error = upstream::TransferResult::Error::connect;
      attempt.transfer.message = "no scripted answer";
      for (const auto& header : headers) {
        if (auto it = m_script.find(header); it != m_script.end()) {
          attempt = it->second;
        }
      }
      out.push_back(std::move(attempt));
    }
    return out;
  }

  struct Sent {
    std::string url;
    std::vector<std::string> headers;
    std::string method;
    std::string body;
  };
  const std::vector<Sent>& sent() const { return m_sent; }
  // How many times probe() was called: keys check probes once, all keys at once.
  int batches() const { return m_batches; }

private:
  std::map<std::string, upstream::Attempt> m_script;
  std::vector<Sent> m_sent;
  int m_batches = 0;
};

} // namespace test
