#pragma once

#include "upstream/attempt.hpp"
#include "upstream/prober.hpp"
#include "util/clock.hpp"

#include <string>
#include <vector>

namespace upstream {

struct ProbeOptions {
  util::Millis connect_timeout{10'000};
  util::Millis total_timeout{30'000};
};

// Sends every request of `requests` (a GET, or a POST with its body; signed
// with SigV4 by libcurl when it says so), all at once over libcurl's multi
// interface, so that
// probing fifty keys takes about one round trip, not fifty. Every handle
// follows the curl policy (curl_policy.hpp), as the transport's does. Each
// result is an Attempt, read like any other (Provider::read): its
// error_body holds the first 64 KiB of the body, whatever the status; an
// interrupt (SIGINT) ends every probe with Error::interrupted; a probe the
// policy refuses ends with Error::other. Results are in the order of
// `requests`.
std::vector<Attempt> probe_all(const std::vector<HttpRequest>& requests,
                               const ProbeOptions& options);

// The Prober of production: probe_all with the options it was made with.
class CurlProber final : public Prober {
public:
  explicit CurlProber(ProbeOptions options = {}) : m_options(options) {}
  std::vector<Attempt> probe(const std::vector<HttpRequest>& requests) override {
    return probe_all(requests, m_options);
  }

private:
  ProbeOptions m_options;
};

} // namespace upstream
