// The script that tells the mock upstream how to answer: which response each
// API key gets, in which order. Loaded once at start-up and immutable after
// that, apart from the per-key cursors.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace mock {

// One scripted answer. Every field is optional in the JSON; the defaults make
// a plain successful reply.
struct response_spec {
  int status = 200;
  // Extra headers, in script order. A content-type given here replaces the
  // default one rather than being sent twice.
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> content_type;

  // Raw replies for hostile tests: `body` is sent verbatim with a length,
  // `chunks` are sent one by one with chunked encoding (pace_ms between).
  std::optional<std::string> body;
  std::optional<std::vector<std::string>> chunks;
  // With `binary`, "\\xHH" in body and chunks stands for the byte 0xHH, so a
  // script (which must be valid UTF-8 JSON) can send invalid UTF-8 or NUL.
  bool binary = false;

  int delay_ms = 0;
  std::string text = "Hello from the mock.";
  std::vector<std::string> deltas;
  int pace_ms = 0;
  std::string gate_file;

  std::optional<std::int64_t> error_after;
  std::optional<std::string> error_type;
  std::optional<std::string> error_message;
  // The error's finer code: error.code in the OpenAI shape (default from
  // the status; JSON null when the script gives ""), error.details.error_code
  // in the Anthropic shape (left out unless given).
  std::optional<std::string> error_code;
  std::optional<std::int64_t> drop_after;
  // Bedrock's event stream: after N deltas, a frame whose message checksum
  // is wrong (corrupt_after) or the first half of a frame (truncate_after),
  // then the response ends properly.
  std::optional<std::int64_t> corrupt_after;
  std::optional<std::int64_t> truncate_after;
  std::optional<std::int64_t> stall_after;
  std::int64_t stall_ms = 60000;

  std::optional<std::uint64_t> stream_bytes;
  std::size_t delta_size = 1024;

  bool ping = false;
  // false leaves out message_start and content_block_start, so that a test
  // can put a drop or an error before the very first event.
  bool preamble = true;
};

// `spec` with "{{credential}}" (the request's x-api-key, or its whole
// authorization header: "Bearer KEY") and "{{key}}" (the key alone) replaced
// in body, chunks, error_type, error_message and error_code: an upstream that
// quotes the credential it was sent. Returns `spec` itself when it names
// neither; otherwise a copy that lives as long as the mock (answers keep a
// reference to their spec).
const response_spec& reflecting(const response_spec& spec, const httplib::Request& req);

// Parses one RESPONSE object; throws std::runtime_error naming the offending
// field so that a typo in a test script fails loudly instead of being ignored.
response_spec parse_response(const nlohmann::json& j, const std::string& where);

class script {
public:
  // Throws std::runtime_error on a malformed script.
  void load_file(const std::string& path);

  // The response for the next request made with `key` (nullopt when the
  // request carried no x-api-key). Thread-safe. The returned reference stays
  // valid for the life of the script: the vectors never change after load.
  const response_spec& next_for(const std::optional<std::string>& key);
  // The same for a request that names `model`: the key's list for that
  // model in "models" when there is one, else next_for(key).
  const response_spec& next_for(const std::optional<std::string>& key, const std::string& model);
  // The answer to GET /v1/models with `key`: "probe" for the key, else
  // "probe_default", else 200 for a key the script knows (in "keys" or
  // "models", or any key when there is a "default") and 401 otherwise.
  const response_spec& next_probe_for(const std::optional<std::string>& key);

  // Top-level "buckets": {"requests": N, "per_ms": T}: every (key, model)
  // has a bucket of N requests that refills continuously, N every T ms.
  struct bucket_spec {
    std::int64_t requests = 0;
    std::int64_t per_ms = 0;
  };
  const std::optional<bucket_spec>& buckets() const { return m_buckets; }

  // Top-level "never_accept": listen, but never accept a connection, so
  // that the kernel completes handshakes (up to the backlog) and the
  // client's request bytes sit unread: a server that never answers.
  bool never_accept() const { return m_never_accept; }
  // Top-level "backlog": the listen backlog (default 512).
  int backlog() const { return m_backlog; }

private:
  bool m_never_accept = false;
  int m_backlog = 512;
  std::map<std::string, std::vector<response_spec>> m_keys;
  std::map<std::string, std::map<std::string, std::vector<response_spec>>> m_models;
  std::map<std::string, std::vector<response_spec>> m_probe;
  std::vector<response_spec> m_probe_default;
  response_spec m_probe_ok;
  std::optional<bucket_spec> m_buckets;
  std::map<std::string, std::size_t> m_model_cursor; // "key\nmodel"
  std::map<std::string, std::size_t> m_probe_cursor;
  std::size_t m_probe_default_cursor = 0;
  std::vector<response_spec> m_default;
  // Used when neither the key nor a default is scripted.
  response_spec m_unauthorized;

  std::mutex m_mutex;
  std::map<std::string, std::size_t> m_cursor;
  std::size_t m_default_cursor = 0;
};

} // namespace mock
