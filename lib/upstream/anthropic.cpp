#include "upstream/anthropic.hpp"

#include "upstream/retry_after.hpp"
#include "upstream/text_delta.hpp"
#include "util/strings.hpp"
#include "util/time_format.hpp"

#include <nlohmann/json.hpp>

namespace upstream {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

// Requests go to {base}/v1/messages. A base URL that already ends in /v1 (as
// some SDKs and proxies write it, and as OpenAI's base URLs are written) is
// taken to mean the same server: without this, bridge would ask for
// /v1/v1/messages.
std::string api_root(std::string_view base_url) {
  if (base_url.size() > 3 && base_url.substr(base_url.size() - 3) == "/v1") {
    base_url.remove_suffix(3);
  }
  return std::string(base_url);
}

} // namespace

const ProviderProfile& AnthropicProvider::profile() const {
  static const ProviderProfile k_profile{
      "anthropic",         "https://api.anthropic.com", "ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY",
      "keys",              "claude-sonnet-4-5",         "request-id",         "a Messages response",
      "message_stop",
  };
  return k_profile;
}

std::string AnthropicProvider::build_body(const PromptRequest& request, std::string_view) const {
  ordered_json body;
  body["model"] = request.model;
  body["max_tokens"] = request.max_tokens.value_or(k_anthropic_default_max_tokens);
  if (request.system) {
    body["system"] = *request.system;
  }
  if (request.temperature) {
    body["temperature"] = *request.temperature;
  }
  if (!request.stop.empty()) {
    body["stop_sequences"] = request.stop;
  }
  if (request.stream) {
    body["stream"] = true;
  }
  body["messages"] = ordered_json::array({{{"role", "user"}, {"content", request.prompt}}});
  return json_line(body);
}

HttpRequest AnthropicProvider::request(std::string_view base_url, const std::string& secret,
                                       std::string body, bool stream) const {
  return HttpRequest{"POST",
                     api_root(base_url) + "/v1/messages",
                     {
                         "x-api-key: " + secret,
                         std::string("anthropic-version: ") + k_anthropic_version,
                         "content-type: application/json",
                         stream ? "accept: text/event-stream" : "accept: application/json",
                     },
                     std::move(body)};
}

HttpRequest AnthropicProvider::probe(std::string_view base_url, const std::string& secret) const {
  return HttpRequest{"GET",
                     api_root(base_url) + "/v1/models?limit=1",
                     {
                         "x-api-key: " + secret,
                         std::string("anthropic-version: ") + k_anthropic_version,
                         "accept: application/json",
                     },
                     {}};
}

std::optional<std::string> AnthropicProvider::answer_text(std::string_view body) const {
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

EventKind AnthropicProvider::decode_event(const SseEvent& event, bool want_text, std::string& text,
                                          UpstreamError& error) const {
  if (event.name == "content_block_delta") {
    if (!want_text) {
      return EventKind::ignored;
    }
    switch (append_text_delta(event.data, text)) {
    case DeltaKind::text:
      return EventKind::text;
    case DeltaKind::other:
      return EventKind::ignored;
    case DeltaKind::malformed:
      return EventKind::malformed;
    }
  }
  if (event.name == "message_stop") {
    return EventKind::done;
  }
  if (event.name == "error") {
    auto parsed = parse_error(event.data);
    error = parsed ? *parsed : UpstreamError{"api_error", "malformed error event"};
    return EventKind::error;
  }
  return EventKind::ignored; // ping, message_start, unknown events
}

std::optional<UpstreamError> AnthropicProvider::parse_error(std::string_view body) const {
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

ErrorHints AnthropicProvider::error_hints(long status, const Headers&, std::string_view body,
                                          util::TimePoint) const {
  ErrorHints hints;
  auto parsed = parse_error(body);
  hints.error = parsed ? *parsed : UpstreamError{error_type_for_status(status), {}};
  return hints;
}

util::Millis AnthropicProvider::retry_after(long, const Headers& headers, util::TimePoint now) const {
  return parse_retry_after(headers, now);
}

std::vector<RateLimitReading> AnthropicProvider::rate_limits(const Headers& headers,
                                                             util::TimePoint now) const {
  // anthropic-ratelimit-KIND-{remaining,limit,reset}; the reset is an RFC
  // 3339 time, measured against the response's Date so that a skewed local
  // clock does not stretch or shrink it.
  std::optional<util::TimePoint> sent;
  if (auto date = headers.get("date")) {
    sent = util::parse_http_date(*date);
  }
  std::vector<RateLimitReading> readings;
  for (std::string kind : {"requests", "tokens", "input-tokens", "output-tokens"}) {
    std::string prefix = "anthropic-ratelimit-" + kind;
    RateLimitReading reading;
    reading.kind = kind;
    reading.remaining = header_count(headers, prefix + "-remaining");
    reading.limit = header_count(headers, prefix + "-limit");
    if (auto reset = headers.get(prefix + "-reset")) {
      if (auto when = util::parse_rfc3339(util::trim(*reset))) {
        reading.reset = now + (*when - sent.value_or(now));
      }
    }
    if (reading.remaining >= 0 || reading.limit >= 0 || reading.reset) {
      readings.push_back(std::move(reading));
    }
  }
  return readings;
}

} // namespace upstream
