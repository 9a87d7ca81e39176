#pragma once

#include "upstream/headers.hpp"
#include "util/clock.hpp"

#include <string>
#include <vector>

namespace upstream {

// What one probe came to.
struct ProbeResult {
  long status = 0;            // 0 when no answer arrived
  Headers headers;
  std::string body;           // the first 64 KiB of the body
  bool unreachable = false;   // DNS, connect, TLS or timeout: no answer at all
  bool interrupted = false;   // SIGINT
  std::string message;        // libcurl's description of a failure; never holds a key
};

struct ProbeOptions {
  util::Millis connect_timeout{10'000};
  util::Millis total_timeout{30'000};
};

// Sends one GET to `url` per entry of `requests` (each entry: the request's
// extra header lines), all at once over libcurl's multi interface, so that
// probing fifty keys takes about one round trip, not fifty. The same rules as
// Transport: http and https only, redirects never followed, TLS verified,
// the proxy variables honoured except for a loopback upstream (route_for). Results are in the order of `requests`.
std::vector<ProbeResult> probe_all(const std::string& url,
                                   const std::vector<std::vector<std::string>>& requests,
                                   const ProbeOptions& options);

} // namespace upstream
