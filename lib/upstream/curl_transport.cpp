#include "upstream/curl_transport.hpp"

#include "upstream/curl_policy.hpp"

#include "util/interrupt.hpp"

#include <chrono>
#include <curl/curl.h>
#include <fmt/format.h>
#include <optional>

namespace upstream {

namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// Per-transfer bookkeeping shared with the libcurl callbacks.
struct Transfer {
  ResponseHandler* handler = nullptr;
  CURL* curl = nullptr;
  Headers headers;
  bool head_sent = false;
  bool received = false;
  bool stopped = false;
  bool idle = false;
  SteadyTime last_byte;
  util::Millis idle_timeout{0};
  bool idle_before_first_byte = true;

  void send_head() {
    if (head_sent) {
      return;
    }
    head_sent = true;
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    handler->head(status, headers);
  }
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t length = size * count;
  t->received = true;
  t->last_byte = std::chrono::steady_clock::now();
  // An interim (1xx) response's status line clears what came before it.
  t->headers.add_line(std::string_view(data, length));
  return length;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t length = size * count;
  t->received = true;
  t->last_byte = std::chrono::steady_clock::now();
  t->send_head();
  if (!t->handler->body(std::string_view(data, length))) {
    t->stopped = true;
    return CURL_WRITEFUNC_ERROR;
  }
  return length;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (util::interrupted()) {
    return 1;
  }
  if (t->idle_timeout.count() > 0 && (t->received || t->idle_before_first_byte) &&
      std::chrono::steady_clock::now() - t->last_byte > t->idle_timeout) {
    t->idle = true;
    return 1;
  }
  return 0;
}

} // namespace

struct CurlTransport::Impl {
  CURL* curl = nullptr;
};

CurlTransport::CurlTransport(TransportOptions options)
    : m_impl(std::make_unique<Impl>()), m_options(options) {
  curl_global_once();
  m_impl->curl = curl_easy_init();
  if (!m_impl->curl) {
    throw std::runtime_error("libcurl could not create a handle");
  }
}

CurlTransport::~CurlTransport() { curl_easy_cleanup(m_impl->curl); }

TransferResult CurlTransport::send(std::string_view method, const std::string& url,
                                   const std::vector<std::string>& headers, std::string_view body,
                                   ResponseHandler& handler, const AwsSigning* signing) {
  CURL* curl = m_impl->curl;
  Transfer transfer;
  transfer.handler = &handler;
  transfer.curl = curl;
  transfer.last_byte = std::chrono::steady_clock::now();
  transfer.idle_timeout = m_options.idle_timeout;
  transfer.idle_before_first_byte = m_options.idle_before_first_byte;

  curl_slist* list = nullptr;
  for (const auto& header : headers) {
    list = curl_slist_append(list, header.c_str());
  }
  // No "Expect: 100-continue" round trip for large bodies.
  list = curl_slist_append(list, "Expect:");

  curl_slist* resolve = nullptr;
  CurlTimeouts timeouts{m_options.connect_timeout, m_options.total_timeout};
  if (auto refused = apply_curl_policy(curl, url, timeouts, resolve)) {
    curl_slist_free_all(list);
    curl_slist_free_all(resolve);
    TransferResult result;
    result.error = TransferResult::Error::other;
    result.message = *refused;
    return result;
  }
  // Every attempt of a walk reuses the one connection: keepalive lets the
  // system notice a peer that has gone away in between.
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  // The one handle serves every method in turn: each request sets all of
  // what the method decides, and the custom verb is cleared afterwards.
  std::string verb(method);
  if (method == "GET" && body.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    if (method != "POST") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, verb.c_str());
    }
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
  if (signing != nullptr) {
    apply_aws_signing(curl, *signing); // Bedrock's IAM keys (curl_policy.hpp)
  }

  CURLcode code = curl_easy_perform(curl);
  if (signing != nullptr) {
    // Setting CURLOPT_AWS_SIGV4 chose SigV4 as the handle's auth method, and
    // clearing it does not undo that: the next key of the walk (a Bearer
    // key) must go out with nothing but its header.
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, nullptr);
    curl_easy_setopt(curl, CURLOPT_USERNAME, nullptr);
    curl_easy_setopt(curl, CURLOPT_PASSWORD, nullptr);
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_RESOLVE, nullptr);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, nullptr);
  curl_easy_setopt(curl, CURLOPT_NOBODY, 0L);
  curl_slist_free_all(list);
  curl_slist_free_all(resolve);

  long opened = 0;
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &opened);
  m_connections += opened;

  TransferResult result;
  result.received_bytes = transfer.received;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  if (code == CURLE_OK) {
    transfer.send_head();
    return result;
  }
  result.message = curl_easy_strerror(code);
  if (transfer.stopped) {
    result.error = TransferResult::Error::stopped;
  } else if (code == CURLE_ABORTED_BY_CALLBACK && transfer.idle) {
    result.error = TransferResult::Error::idle;
    result.message = fmt::format("idle timeout: no byte received for {} s",
                                 m_options.idle_timeout.count() / 1000.0);
  } else if (code == CURLE_ABORTED_BY_CALLBACK) {
    result.error = TransferResult::Error::interrupted;
  } else {
    result.error = transfer_error(code);
  }
  if (code == CURLE_OPERATION_TIMEDOUT) {
    // libcurl says only "Timeout was reached": name the timeout that expired.
    curl_off_t connected_after = 0;
    curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connected_after);
    // Not connected yet: a connection failure, as a refused one is.
    result.error = connected_after == 0 ? TransferResult::Error::connect : result.error;
    result.message = connected_after == 0
                         ? fmt::format("connect timeout: no connection within {} s",
                                       m_options.connect_timeout.count() / 1000.0)
                         : fmt::format("whole-request timeout: no complete answer within {} s",
                                       m_options.total_timeout.count() / 1000.0);
  }
  return result;
}

} // namespace upstream
