#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace upstream {

inline constexpr const char* k_anthropic_version = "2023-06-01";

// The fields of a Messages request that bridge builds from its options.
struct MessageRequest {
  std::string model;
  std::string prompt;
  std::optional<std::string> system;
  long max_tokens = 4096;
  std::optional<double> temperature;
  std::vector<std::string> stop_sequences;
  bool stream = false;
};

// The JSON body of docs/contract.md (upstream protocol) for `request`.
std::string build_request_body(const MessageRequest& request);

// A body given by the user (--request): sent as given, except that "stream"
// is set to match the subcommand. Throws util::Error (exit 2) when `text` is
// not a JSON object, naming `source`.
std::string adapt_request_body(std::string_view text, bool stream, const std::string& source);

// The "model" of a request body, empty when it names none.
std::string request_model(std::string_view body);

// The text of a Messages response: the `text` of its `text` content blocks,
// in order. nullopt when the body is not a Messages response.
std::optional<std::string> response_text(std::string_view body);

// An upstream error: {"type":"error","error":{"type":T,"message":M}}.
struct UpstreamError {
  std::string type;
  std::string message;
};

// The error.details.error_code of an error body (the API's finer reason, as
// "enforced_spend_limit_reached"), empty when it has none.
std::string parse_error_code(std::string_view body);

// Reads an error body. When the body is not of that shape (an HTML page from
// a proxy, truncated JSON), nullopt.
std::optional<UpstreamError> parse_error_body(std::string_view body);

// One line of JSON in the upstream error shape, with "retry_after" in whole
// seconds when given. Strings that are not valid UTF-8 are repaired, never
// refused.
std::string error_json(const UpstreamError& error, std::optional<long long> retry_after_seconds = {});

// The error type the API uses for an HTTP status, for bodies that name none.
std::string error_type_for_status(long status);

} // namespace upstream
