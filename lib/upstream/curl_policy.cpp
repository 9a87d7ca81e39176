#include "upstream/curl_policy.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <mutex>
#include <netinet/in.h>

namespace upstream {

namespace {

// The host part of a URL, as libcurl's URL parser gives it ("" when the URL
// does not parse); IPv6 addresses keep their brackets.
std::string url_host(const std::string& url) {
  CURLU* handle = curl_url();
  std::string host;
  char* part = nullptr;
  if (curl_url_set(handle, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(handle, CURLUPART_HOST, &part, 0) == CURLUE_OK && part != nullptr) {
    host = part;
  }
  curl_free(part);
  curl_url_cleanup(handle);
  return host;
}

bool is_localhost_name(std::string_view host) { return util::iequals(host, "localhost"); }

// The URL with the scheme "http" (never sent through a proxy in the clear).
bool is_plain_http(const std::string& url) { return util::starts_with_ci(url, "http://"); }

// Loopback requests never go through a proxy: a proxy (even one on this
// machine, run by another user) would see the key in clear text over plain
// http, and could answer 401/429 in the upstream's name. "localhost" is
// pinned to the loopback addresses so that no resolver decides where it
// goes. A plain-http request to anything else is refused outright, as a
// second line of defence behind checked_base_url().
std::optional<std::string> route_for(CURL* curl, const std::string& url, curl_slist*& resolve) {
  std::string host = url_host(url);
  if (!is_loopback_host(host)) {
    if (is_plain_http(url)) {
      return fmt::format("plain http:// is allowed only to a loopback host, not '{}'", host);
    }
    curl_easy_setopt(curl, CURLOPT_PROXY, nullptr); // the proxy variables decide
    return std::nullopt;
  }
  curl_easy_setopt(curl, CURLOPT_PROXY, ""); // "" = no proxy, whatever the environment says
  if (is_localhost_name(host)) {
    CURLU* handle = curl_url();
    char* port = nullptr;
    curl_url_set(handle, CURLUPART_URL, url.c_str(), 0);
    curl_url_get(handle, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    std::string entry = fmt::format("{}:{}:127.0.0.1,[::1]", host, port ? port : "80");
    curl_free(port);
    curl_url_cleanup(handle);
    resolve = curl_slist_append(resolve, entry.c_str());
  }
  return std::nullopt;
}

} // namespace

void curl_global_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::optional<std::string> apply_curl_policy(CURL* curl, const std::string& url,
                                             const CurlTimeouts& timeouts, curl_slist*& resolve) {
  if (auto refused = route_for(curl, url, resolve)) {
    return refused;
  }
  curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // libcurl copies the string.
  curl_easy_setopt(curl, CURLOPT_USERAGENT, (std::string("bridge/") + util::version()).c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeouts.connect.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeouts.total.count()));
  return std::nullopt;
}

void apply_aws_signing(CURL* curl, const AwsSigning& signing) {
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, signing.provider.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, signing.access_key_id.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, signing.secret_access_key.c_str());
}

TransferResult::Error transfer_error(CURLcode code) {
  switch (code) {
  case CURLE_OK:
    return TransferResult::Error::none;
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    return TransferResult::Error::resolve;
  case CURLE_COULDNT_CONNECT:
    return TransferResult::Error::connect;
  case CURLE_OPERATION_TIMEDOUT:
    return TransferResult::Error::timeout;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
    return TransferResult::Error::tls;
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_PARTIAL_FILE:
  case CURLE_GOT_NOTHING:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
    return TransferResult::Error::dropped;
  default:
    return TransferResult::Error::other;
  }
}

bool is_loopback_host(std::string_view host) {
  if (is_localhost_name(host)) {
    // Safe only because apply_curl_policy pins it to 127.0.0.1 / ::1 with
    // CURLOPT_RESOLVE: no resolver (or /etc/hosts) is ever asked.
    return true;
  }
  std::string text(host);
  bool bracketed = text.size() > 2 && text.front() == '[' && text.back() == ']';
  if (bracketed) {
    text = text.substr(1, text.size() - 2); // brackets hold IPv6 only
  }
  // A literal address only: anything inet_pton refuses ("127.0.0.256",
  // "127.1.2.3456", "127.0.0.1.example.com") would be looked up as a name.
  in_addr v4{};
  if (!bracketed && ::inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) {
      return true;
    }
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127; // ::ffff:127.x.y.z
  }
  return false;
}

std::string checked_base_url(const std::string& url) {
  CURLU* handle = curl_url();
  auto cleanup = [&] { curl_url_cleanup(handle); };
  if (curl_url_set(handle, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    cleanup();
    throw util::Error(util::ExitCode::config, fmt::format("base URL '{}' is not a valid URL", url));
  }
  char* scheme = nullptr;
  char* host = nullptr;
  curl_url_get(handle, CURLUPART_SCHEME, &scheme, 0);
  curl_url_get(handle, CURLUPART_HOST, &host, 0);
  std::string scheme_text = scheme ? util::to_lower(scheme) : "";
  std::string host_text = host ? host : "";
  curl_free(scheme);
  curl_free(host);
  cleanup();
  if (scheme_text != "http" && scheme_text != "https") {
    throw util::Error(util::ExitCode::config,
                      fmt::format("base URL scheme '{}' is not allowed; use https:// (or http:// "
                                  "to a loopback host)",
                                  scheme_text));
  }
  if (scheme_text == "http" && !is_loopback_host(host_text)) {
    throw util::Error(util::ExitCode::config,
                      fmt::format("plain http:// is allowed only to a loopback host, not '{}'; "
                                  "use https://",
                                  host_text));
  }
  std::string trimmed = url;
  while (!trimmed.empty() && trimmed.back() == '/') {
    trimmed.pop_back();
  }
  // What follows the host (a version such as /v1) is the provider's to
  // read: Anthropic's paths carry the version, OpenAI's base URL does.
  return trimmed;
}

} // namespace upstream
