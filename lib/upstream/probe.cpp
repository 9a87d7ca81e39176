#include "upstream/probe.hpp"

#include "upstream/curl_policy.hpp"

#include "util/interrupt.hpp"

#include <curl/curl.h>
#include <memory>
#include <stdexcept>

namespace upstream {

namespace {

constexpr std::size_t k_max_probe_body = 64 * 1024;

struct Probe {
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* resolve = nullptr; // apply_curl_policy(): localhost pinned to loopback
  Attempt result;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* probe = static_cast<Probe*>(user);
  probe->result.transfer.received_bytes = true;
  probe->result.headers.add_line(std::string_view(data, size * count));
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* probe = static_cast<Probe*>(user);
  probe->result.transfer.received_bytes = true;
  std::size_t length = size * count;
  std::string& body = probe->result.error_body;
  body.append(data, std::min(length, k_max_probe_body - std::min(body.size(), k_max_probe_body)));
  return length;
}

// Owns the multi handle and every easy handle; cleans them all up.
class Batch {
public:
  Batch() : m_multi(curl_multi_init()) {
    if (!m_multi) {
      throw std::runtime_error("libcurl could not create a multi handle");
    }
    // Enough connections for a pool of a hundred keys in one round trip;
    // larger pools queue rather than run out of file descriptors.
    curl_multi_setopt(m_multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 100L);
  }
  ~Batch() {
    for (auto& probe : m_probes) {
      if (probe->curl) {
        curl_multi_remove_handle(m_multi, probe->curl);
        curl_easy_cleanup(probe->curl);
      }
      curl_slist_free_all(probe->headers);
      curl_slist_free_all(probe->resolve);
    }
    curl_multi_cleanup(m_multi);
  }
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  void add(const HttpRequest& request, const ProbeOptions& options) {
    auto probe = std::make_unique<Probe>();
    probe->curl = curl_easy_init();
    if (!probe->curl) {
      throw std::runtime_error("libcurl could not create a handle");
    }
    for (const auto& line : request.headers) {
      probe->headers = curl_slist_append(probe->headers, line.c_str());
    }
    CURL* curl = probe->curl;
    // The same road as every other request: a loopback upstream directly,
    // never through a proxy that would read the key; plain http elsewhere
    // refused (docs/security.md).
    CurlTimeouts timeouts{options.connect_timeout, options.total_timeout};
    if (auto refused = apply_curl_policy(curl, request.url, timeouts, probe->resolve)) {
      probe->result.transfer.error = TransferResult::Error::other;
      probe->result.transfer.message = *refused;
      curl_easy_cleanup(curl);
      probe->curl = nullptr;
      m_probes.push_back(std::move(probe));
      return;
    }
    if (request.method == "POST") {
      // Bedrock's probe is a one-token invoke; the handle keeps a copy of its body.
      probe->headers = curl_slist_append(probe->headers, "Expect:");
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(curl, CURLOPT_COPYPOSTFIELDS, request.body.c_str());
    } else {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }
    if (request.signing) {
      apply_aws_signing(curl, *request.signing);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, probe->headers);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, probe.get());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, probe.get());
    curl_easy_setopt(curl, CURLOPT_PRIVATE, probe.get());
    curl_multi_add_handle(m_multi, curl);
    m_probes.push_back(std::move(probe));
  }

  // Runs every transfer to its end (or to SIGINT).
  void run() {
    int running = 1;
    while (running > 0) {
      if (util::interrupted()) {
        for (auto& probe : m_probes) {
          probe->result.transfer.error = TransferResult::Error::interrupted;
        }
        return;
      }
      if (curl_multi_perform(m_multi, &running) != CURLM_OK) {
        break;
      }
      collect();
      if (running > 0) {
        // Short waits, so that Ctrl-C is noticed promptly.
        curl_multi_poll(m_multi, nullptr, 0, 100, nullptr);
      }
    }
    collect();
  }

  std::vector<Attempt> results() {
    std::vector<Attempt> out;
    out.reserve(m_probes.size());
    for (auto& probe : m_probes) {
      out.push_back(std::move(probe->result));
    }
    return out;
  }

private:
  void collect() {
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(m_multi, &left)) {
      if (message->msg != CURLMSG_DONE) {
        continue;
      }
      Probe* probe = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &probe);
      CURLcode code = message->data.result;
      Attempt& result = probe->result;
      curl_easy_getinfo(message->easy_handle, CURLINFO_RESPONSE_CODE, &result.status);
      result.transfer.status = result.status;
      if (code != CURLE_OK) {
        result.transfer.error = transfer_error(code);
        result.transfer.message = curl_easy_strerror(code);
      }
    }
  }

  CURLM* m_multi;
  std::vector<std::unique_ptr<Probe>> m_probes;
};

} // namespace

std::vector<Attempt> probe_all(const std::vector<HttpRequest>& requests,
                               const ProbeOptions& options) {
  curl_global_once();
  Batch batch;
  for (const auto& request : requests) {
    batch.add(request, options);
  }
  batch.run();
  return batch.results();
}

} // namespace upstream
