#pragma once

#include "upstream/headers.hpp"
#include "util/clock.hpp"

#include <curl/curl.h>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace upstream {

struct TransportOptions {
  util::Millis connect_timeout{10'000};
  util::Millis total_timeout{600'000};
  util::Millis idle_timeout{120'000}; // no byte received
  // Whether the idle timeout also runs before the first response byte. A
  // stream answers at once and then trickles, so silence from the start is
  // a stall; a blocking answer is silent until the model has finished, so
  // there only silence after the answer began counts (--timeout bounds the
  // wait for it).
  bool idle_before_first_byte = true;
};

// Receives a response as it arrives. head() is called once, before the first
// body byte (or at the end for an empty body); body() for each chunk and may
// return false to stop the transfer (the handler remembers why).
class ResponseHandler {
public:
  virtual ~ResponseHandler() = default;
  virtual void head(long status, const Headers& headers) = 0;
  virtual bool body(std::string_view chunk) = 0;
};

struct TransferResult {
  enum class Error {
    none,
    resolve,      // DNS
    connect,      // refused, unreachable, connect timeout
    tls,          // handshake or certificate
    timeout,      // whole-request timeout
    idle,         // no byte within the idle timeout
    dropped,      // connection reset or closed mid-response
    stopped,      // the handler returned false
    interrupted,  // SIGINT
    other,
  };
  Error error = Error::none;
  std::string message;       // curl's description; never holds a key
  long status = 0;
  bool received_bytes = false;
};

// One libcurl easy handle, reused for every request of an invocation so that
// the connection is kept alive across failover attempts (docs/contract.md, upstream protocol). Redirects
// are never followed; only http and https are spoken; TLS is always verified;
// the usual proxy variables are honoured (libcurl reads them), except for a
// loopback host (is_loopback_host), which is always reached directly; plain
// http to any other host is refused (Error::other). The API key is passed as
// a header value only and is never logged.
class Transport {
public:
  explicit Transport(TransportOptions options);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  TransferResult post(const std::string& url, const std::vector<std::string>& headers,
                      std::string_view body, ResponseHandler& handler);

  // TCP connections opened so far by this transport.
  long connections_opened() const { return m_connections; }

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  TransportOptions m_options;
  long m_connections = 0;
};

// Whether `host` (as in a URL; IPv6 in brackets) is this machine: a literal
// address in 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104 (parsed with
// inet_pton, so "127.0.0.256" is not one), or the name "localhost", which
// Transport resolves to 127.0.0.1 / ::1 itself. Requests to a loopback host
// never go through a proxy.
bool is_loopback_host(std::string_view host);

// The route rule every request of bridge follows (Transport and the probes
// of `keys check` alike): a loopback host is reached directly, never through
// a proxy, and "localhost" is pinned to 127.0.0.1 / ::1 by an entry added to
// `resolve` (for CURLOPT_RESOLVE; the caller frees it); plain http to any
// other host is refused. Sets the options on `curl`; returns why the request
// must not be sent, or nothing.
std::optional<std::string> route_for(CURL* curl, const std::string& url, curl_slist*& resolve);

// Checks a base URL (docs/contract.md, safety): http or https only; plain http only to a
// loopback host. Returns the URL without a trailing slash, or throws
// util::Error (exit 78) saying why.
std::string checked_base_url(const std::string& url);

} // namespace upstream
