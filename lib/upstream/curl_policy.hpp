#pragma once

// The one policy every libcurl easy handle of bridge follows: the transport
// of `ask` and `stream` and the probes of `keys check` alike
// (docs/security.md). Only this file and its .cpp set the options that keep
// a key safe; a new kind of request calls apply_curl_policy and sets only
// what is its own (the method, the body, the callbacks).

#include "upstream/attempt.hpp"
#include "upstream/transport.hpp"
#include "util/clock.hpp"

#include <curl/curl.h>
#include <optional>
#include <string>
#include <string_view>

namespace upstream {

// The timeouts of one handle.
struct CurlTimeouts {
  util::Millis connect{10'000};
  util::Millis total{600'000};
};

// Initialises libcurl once per process, before the first handle is made.
void curl_global_once();

// Sets on `curl` the URL and what every request of bridge shares: http and
// https only, redirects never followed, TLS peer and host always verified,
// no signals (NOSIGNAL), the user agent "bridge/VERSION", the timeouts, and
// the route: a loopback host (is_loopback_host) is reached directly, never
// through a proxy, with "localhost" pinned to 127.0.0.1 / ::1 by an entry
// added to `resolve` (for CURLOPT_RESOLVE, set here; the caller frees the
// list after the transfer); any other host through the proxy variables, as
// libcurl reads them. Plain http to a host that is not loopback is refused.
// Returns why the request must not be sent (then no option is set), or
// nothing. Never throws.
std::optional<std::string> apply_curl_policy(CURL* curl, const std::string& url,
                                             const CurlTimeouts& timeouts, curl_slist*& resolve);

// Has libcurl sign the request of `curl` with SigV4 (CURLOPT_AWS_SIGV4 and
// the IAM key as user name and password): bridge computes no signature. The
// libcurl must be one that signs a path as AWS does (8.9.0 and later): the
// Bedrock provider refuses IAM keys with an older one before any request.
// libcurl copies the strings.
void apply_aws_signing(CURL* curl, const AwsSigning& signing);

// How a libcurl code reads in bridge's terms. CURLE_ABORTED_BY_CALLBACK is
// Error::other here: only the caller knows whether its callback stopped for
// an interrupt, an idle timeout or its handler.
TransferResult::Error transfer_error(CURLcode code);

// Whether `host` (as in a URL; IPv6 in brackets) is this machine: a literal
// address in 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104 (parsed with
// inet_pton, so "127.0.0.256" is not one), or the name "localhost", which
// apply_curl_policy resolves to 127.0.0.1 / ::1 itself. Requests to a
// loopback host never go through a proxy.
bool is_loopback_host(std::string_view host);

// Checks a base URL (docs/contract.md, safety): http or https only; plain
// http only to a loopback host. Returns the URL without a trailing slash, or
// throws util::Error (exit 78) saying why.
std::string checked_base_url(const std::string& url);

} // namespace upstream
