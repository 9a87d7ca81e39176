#include "upstream/messages.hpp"

#include "util/error.hpp"
#include "util/printable.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace upstream {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {
std::string dump_line(const ordered_json& value) {
  return value.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}
} // namespace

std::string build_request_body(const MessageRequest& request) {
  ordered_json body;
  body["model"] = request.model;
  body["max_tokens"] = request.max_tokens;
  if (request.system) {
    body["system"] = *request.system;
  }
  if (request.temperature) {
    body["temperature"] = *request.temperature;
  }
  if (!request.stop_sequences.empty()) {
    body["stop_sequences"] = request.stop_sequences;
  }
  if (request.stream) {
    body["stream"] = true;
  }
  body["messages"] = ordered_json::array({{{"role", "user"}, {"content", request.prompt}}});
  return dump_line(body);
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
  return dump_line(body);
}

std::optional<std::string> response_text(std::string_view body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return std::nullopt;
  }
  auto content = parsed.find("content");
  if (content == parsed.end() || !content->is_array()) {
    return std::nullopt;
  }
  std::string text;
  for (const auto& block : *content) {
    if (block.is_object() && block.value("type", "") == "text") {
      auto value = block.find("text");
      if (value != block.end() && value->is_string()) {
        text += value->get<std::string>();
      }
    }
  }
  return text;
}

std::string request_model(std::string_view body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    if (auto model = parsed.find("model"); model != parsed.end() && model->is_string()) {
      return model->get<std::string>();
    }
  }
  return {};
}

std::string parse_error_code(std::string_view body) {
  json parsed = json::parse(body, nullptr, false);
  if (!parsed.is_object()) {
    return {};
  }
  auto error = parsed.find("error");
  if (error == parsed.end() || !error->is_object()) {
    return {};
  }
  auto details = error->find("details");
  if (details == error->end() || !details->is_object()) {
    return {};
  }
  auto code = details->find("error_code");
  return code != details->end() && code->is_string() ? code->get<std::string>() : std::string{};
}

std::optional<UpstreamError> parse_error_body(std::string_view body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return std::nullopt;
  }
  auto error = parsed.find("error");
  if (error == parsed.end() || !error->is_object()) {
    return std::nullopt;
  }
  UpstreamError result;
  auto type = error->find("type");
  auto message = error->find("message");
  if (type != error->end() && type->is_string()) {
    result.type = type->get<std::string>();
  }
  if (message != error->end() && message->is_string()) {
    result.message = message->get<std::string>();
  }
  if (result.type.empty()) {
    return std::nullopt;
  }
  return result;
}

std::string error_json(const UpstreamError& error, std::optional<long long> retry_after_seconds) {
  ordered_json out;
  out["type"] = "error";
  out["error"] = {{"type", error.type}, {"message", error.message}};
  if (retry_after_seconds) {
    out["retry_after"] = *retry_after_seconds;
  }
  // Goes to a terminal's stderr: C1 controls from the upstream's message
  // are written as \u00XX escapes, as C0 controls already are.
  return util::json_without_c1(dump_line(out));
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
