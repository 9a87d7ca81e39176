#include "upstream/messages.hpp"

#include "util/error.hpp"
#include "util/printable.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace upstream {

using nlohmann::ordered_json;

std::string json_line(const ordered_json& value) {
  return value.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

long long header_count(const Headers& headers, std::string_view name) {
  auto value = headers.get(name);
  if (!value) {
    return -1;
  }
  std::string_view digits = util::trim(*value);
  if (digits.empty() || digits.size() > 18) {
    return -1;
  }
  long long count = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return -1;
    }
    count = count * 10 + (c - '0');
  }
  return count;
}

std::string adapt_request_body(std::string_view text, bool stream, const std::string& source) {
  ordered_json body;
  try {
    body = ordered_json::parse(text);
  } catch (const ordered_json::parse_error& error) {
    // nlohmann counts the byte at which it gave up (1-based); people look
    // for a line and a column.
    std::size_t at = std::min<std::size_t>(error.byte > 0 ? error.byte - 1 : 0, text.size());
    std::size_t line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < at; ++i) {
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    throw util::Error(util::ExitCode::usage,
                      fmt::format("--request {}: not valid JSON: error at line {}, column {} "
                                  "(byte {})",
                                  source, line, at - line_start + 1, at + 1));
  }
  if (!body.is_object()) {
    throw util::Error(util::ExitCode::usage,
                      fmt::format("--request {}: valid JSON, but not an object; a request body "
                                  "is an object such as {{\"model\": ..., \"messages\": [...]}}",
                                  source));
  }
  if (stream) {
    body["stream"] = true;
  } else if (body.contains("stream")) {
    body["stream"] = false;
  }
  return json_line(body);
}

std::string request_model(std::string_view body) {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    if (auto model = parsed.find("model"); model != parsed.end() && model->is_string()) {
      return model->get<std::string>();
    }
  }
  return {};
}

std::string error_json(const UpstreamError& error, std::optional<long long> retry_after_seconds,
                       const std::optional<std::string>& request_id) {
  ordered_json out;
  out["type"] = "error";
  out["error"] = {{"type", error.type}, {"message", error.message}};
  if (retry_after_seconds) {
    out["retry_after"] = *retry_after_seconds;
  }
  if (request_id) {
    out["request_id"] = *request_id; // where Anthropic's own error bodies put it
  }
  // Goes to a terminal's stderr: C1 and bidirectional controls from the
  // upstream's message are written as \uXXXX escapes, as C0 controls
  // already are.
  return util::json_without_controls(json_line(out));
}

std::string error_type_for_status(long status) {
  switch (status) {
  case 400:
    return "invalid_request_error";
  case 401:
    return "authentication_error";
  case 402:
    return "billing_error";
  case 403:
    return "permission_error";
  case 404:
    return "not_found_error";
  case 408:
    return "timeout_error";
  case 413:
    return "request_too_large";
  case 429:
    return "rate_limit_error";
  case 529:
    return "overloaded_error";
  default:
    return "api_error";
  }
}

} // namespace upstream
