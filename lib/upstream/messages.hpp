#pragma once

#include "upstream/headers.hpp"

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The pieces of the wire that every provider shares: bridge's own error
// line, --request bodies, and small readers of JSON and headers.
namespace upstream {

// A body given by the user (--request): sent as given, except that "stream"
// is set to match the subcommand. Throws util::Error (exit 2) when `text` is
// not a JSON object, naming `source`.
std::string adapt_request_body(std::string_view text, bool stream, const std::string& source);

// The "model" of a request body, empty when it names none. Every provider's
// body names its model there.
std::string request_model(std::string_view body);

// An upstream error: its type and message (bridge reports every provider's
// errors in the shape {"type":"error","error":{"type":T,"message":M}}).
struct UpstreamError {
  std::string type;
  std::string message;
};

// One line of JSON in the upstream error shape, with "retry_after" in whole
// seconds and the upstream's "request_id" when given. Strings that are not
// valid UTF-8 are repaired, never refused.
std::string error_json(const UpstreamError& error,
                       std::optional<long long> retry_after_seconds = {},
                       const std::optional<std::string>& request_id = {});

// `value` as one line of JSON; strings that are not valid UTF-8 are repaired.
std::string json_line(const nlohmann::ordered_json& value);

// A header holding a whole number of at least 0 (a rate-limit count); -1
// when absent or not such a number.
long long header_count(const Headers& headers, std::string_view name);

// The error type the API uses for an HTTP status, for bodies that name none.
std::string error_type_for_status(long status);

} // namespace upstream
