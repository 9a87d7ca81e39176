#pragma once

// The seam between `keys check` and the network: the command sends its
// probes through a Prober, so that a test can put an in-memory one (playing
// scripted answers) where the libcurl one (probe.hpp, CurlProber) runs in
// production.

#include "upstream/attempt.hpp"
#include "upstream/transport.hpp"

#include <string>
#include <vector>

namespace upstream {

// Sends every request of `requests` (each built by Provider::probe: a GET,
// or a POST with its body; signed when it says so), and returns one Attempt
// per request, in the order of `requests`, read like any other
// (Provider::read). An implementation
// promises: error_body holds the body (capped), whatever the status; a
// status followed by a failed transfer keeps both (the reading says
// cut_off); an interrupt ends every probe with Error::interrupted; a probe
// that is never sent (refused by policy) ends with Error::other and a
// message; a transfer error's message never holds a header value (the key).
// probe() does not throw for anything the network does.
class Prober {
public:
  virtual ~Prober() = default;
  virtual std::vector<Attempt> probe(const std::vector<HttpRequest>& requests) = 0;
};

} // namespace upstream
