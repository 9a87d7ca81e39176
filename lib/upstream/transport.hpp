#pragma once

// The seam between the app and the network: the app sends every request of
// `ask` and `stream` through a Transport, so that a test can put an
// in-memory one (playing scripted answers) where the libcurl one
// (curl_transport.hpp) runs in production.

#include "upstream/attempt.hpp"
#include "upstream/headers.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace upstream {

// AWS Signature Version 4, computed by libcurl (CURLOPT_AWS_SIGV4) with an
// IAM access key: bridge writes no signing code. `provider` is libcurl's
// "aws:amz:REGION:SERVICE".
struct AwsSigning {
  std::string provider;
  std::string access_key_id;
  std::string secret_access_key;
};

// One HTTP request, ready for the transport (or the prober). `headers` hold
// the key: they go to the transport and nowhere else.
struct HttpRequest {
  std::string method; // "POST" or "GET"
  std::string url;
  std::vector<std::string> headers;
  std::string body;
  // Set when the transport signs the request (AWS SigV4, done by libcurl)
  // rather than the headers carrying the credential.
  std::optional<AwsSigning> signing;
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

// Sends requests, one at a time, and tells how each transfer ended. An
// implementation promises: the handler sees head() before any body(), and
// head() at most once; a body() that returns false ends the transfer with
// Error::stopped; a request that is never sent (refused by policy) ends with
// Error::other and a message; a transfer error's message never holds a
// header value (the key). post() does not throw for anything the network
// does.
class Transport {
public:
  virtual ~Transport() = default;

  // Sends one request: `method` as the client named it ("POST", "GET",
  // "DELETE", ...), `body` sent when not empty (and always for POST);
  // `signing`, when given, has the transport sign the request.
  virtual TransferResult send(std::string_view method, const std::string& url,
                              const std::vector<std::string>& headers, std::string_view body,
                              ResponseHandler& handler, const AwsSigning* signing) = 0;

  TransferResult send(std::string_view method, const std::string& url,
                      const std::vector<std::string>& headers, std::string_view body,
                      ResponseHandler& handler) {
    return send(method, url, headers, body, handler, nullptr);
  }
  TransferResult post(const std::string& url, const std::vector<std::string>& headers,
                      std::string_view body, ResponseHandler& handler) {
    return send("POST", url, headers, body, handler, nullptr);
  }

  // Connections opened so far by this transport (for -v: a failover walk
  // should reuse one).
  virtual long connections_opened() const = 0;
};

} // namespace upstream
