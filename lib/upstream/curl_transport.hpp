#pragma once

#include "upstream/transport.hpp"
#include "util/clock.hpp"

#include <memory>

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

// The Transport of production: one libcurl easy handle, reused for every
// request of an invocation so that the connection is kept alive across
// failover attempts (docs/contract.md, upstream protocol). The handle
// follows the curl policy (curl_policy.hpp: http and https only, no
// redirects, TLS verified, loopback never through a proxy, plain http to
// any other host refused with Error::other). The API key is passed as a
// header value only and is never logged. Throws std::runtime_error when
// libcurl cannot make a handle.
class CurlTransport final : public Transport {
public:
  explicit CurlTransport(TransportOptions options);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  using Transport::send;
  // With `signing`, libcurl signs the request with SigV4 (CURLOPT_AWS_SIGV4,
  // the access key id and secret as CURLOPT_USERNAME and CURLOPT_PASSWORD,
  // cleared again after the transfer).
  TransferResult send(std::string_view method, const std::string& url,
                      const std::vector<std::string>& headers, std::string_view body,
                      ResponseHandler& handler, const AwsSigning* signing) override;
  long connections_opened() const override { return m_connections; }

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  TransportOptions m_options;
  long m_connections = 0;
};

} // namespace upstream
