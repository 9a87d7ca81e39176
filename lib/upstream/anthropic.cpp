#include "upstream/anthropic.hpp"

#include "upstream/answer_text.hpp"
#include "upstream/retry_after.hpp"
#include "upstream/text_delta.hpp"
#include "util/strings.hpp"
#include "util/time_format.hpp"

#include <algorithm>
#include <cctype>
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

// The 400 answers of a workspace or organisation whose usage cap is reached.
// The words must begin the message: a prompt quoted back is not a limit.
bool is_usage_limit_message(std::string_view message) {
  constexpr std::string_view k_prefixes[] = {
      "You have reached your specified API usage limits",
      "You have reached your specified workspace API usage limits",
  };
  return std::any_of(std::begin(k_prefixes), std::end(k_prefixes),
                     [&](std::string_view prefix) { return message.starts_with(prefix); });
}

// error.details.error_code, the API's finer reason ("enforced_spend_limit_reached").
std::string details_error_code(const json& document) {
  if (!document.is_object()) {
    return {};
  }
  auto error = document.find("error");
  if (error == document.end() || !error->is_object()) {
    return {};
  }
  auto details = error->find("details");
  if (details == error->end() || !details->is_object()) {
    return {};
  }
  auto code = details->find("error_code");
  return code != details->end() && code->is_string() ? code->get<std::string>() : std::string{};
}

// The {"type":"error","error":{"type":T,"message":M}} of a parsed body;
// nullopt when the body is not of that shape or names no type.
std::optional<UpstreamError> error_of(const json& parsed) {
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

bool digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

} // namespace

const ProviderProfile& AnthropicProvider::profile() const {
  static const ProviderProfile k_profile{
      "anthropic",
      "https://api.anthropic.com",
      "ANTHROPIC_BASE_URL",
      "ANTHROPIC_API_KEY",
      "keys",
      "claude-sonnet-4-5",
      "request-id",
      "a Messages response",
      "message_stop",
      1.0,
      "/anthropic",
      "text/event-stream",
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
                     std::move(body),
                     std::nullopt};
}

HttpRequest AnthropicProvider::forward(std::string_view base_url, const std::string& secret,
                                       std::string method, std::string_view path,
                                       std::vector<std::string> headers, std::string body) const {
  headers.push_back("x-api-key: " + secret);
  return HttpRequest{std::move(method), api_root(base_url) + std::string(path), std::move(headers),
                     std::move(body), std::nullopt};
}

std::string AnthropicProvider::error_body(std::string_view type, std::string_view message) const {
  ordered_json body = {{"type", "error"},
                       {"error", {{"type", std::string(type)}, {"message", std::string(message)}}}};
  return json_line(body);
}

HttpRequest AnthropicProvider::probe(std::string_view base_url, const std::string& secret,
                                     const std::string&) const {
  // The model list: no tokens spent, whatever the model.
  return HttpRequest{"GET",
                     api_root(base_url) + "/v1/models?limit=1",
                     {
                         "x-api-key: " + secret,
                         std::string("anthropic-version: ") + k_anthropic_version,
                         "accept: application/json",
                     },
                     {},
                     std::nullopt};
}

std::optional<std::string> AnthropicProvider::answer_text(std::string_view body) const {
  return anthropic_answer_text(body);
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
  return error_of(json::parse(body, nullptr, false));
}

Provider::ErrorBody AnthropicProvider::read_error_body(long status, const Headers&,
                                                       std::string_view body) const {
  ErrorBody read;
  // One parse serves the type, the message and the finer code.
  json document = json::parse(body, nullptr, false);
  read.error = error_of(document);
  if (read.error) {
    read.code = details_error_code(document);
  }
  std::string_view message =
      read.error ? std::string_view(read.error->message) : std::string_view();
  if (status == 402) {
    read.limit = limits::Limit::billing;
  } else if (status == 400 && is_usage_limit_message(message)) {
    read.limit = limits::Limit::spend;
  } else if (status == 429 && read.code == "enforced_spend_limit_reached") {
    read.limit = limits::Limit::spend;
    read.limit_end = regain_access_time(message);
  }
  return read;
}

util::Millis AnthropicProvider::retry_after(long, const Headers& headers,
                                            util::TimePoint now) const {
  return parse_retry_after(headers, now);
}

util::TimePoint response_origin(const Headers& headers, util::TimePoint now) {
  auto date = headers.get("date");
  auto sent = date ? util::parse_http_date(*date) : std::nullopt;
  if (!sent) {
    return now;
  }
  constexpr util::Millis k_resolution{1000};
  return std::clamp(now, *sent, *sent + k_resolution);
}

std::vector<limits::LimitReading> AnthropicProvider::rate_limits(const Headers& headers,
                                                                 util::TimePoint now) const {
  // anthropic-ratelimit-KIND-{remaining,limit,reset}; the reset is an RFC
  // 3339 time, measured against the moment the answer was sent
  // (response_origin) so that a skewed local clock does not stretch or
  // shrink it. A reset already past is now.
  util::TimePoint origin = response_origin(headers, now);
  struct Kind {
    const char* header;
    const char* name;
  };
  constexpr Kind k_kinds[] = {{"requests", "requests"},
                              {"tokens", "tokens"},
                              {"input-tokens", "input_tokens"},
                              {"output-tokens", "output_tokens"}};
  std::vector<limits::LimitReading> readings;
  for (const auto& kind : k_kinds) {
    std::string prefix = std::string("anthropic-ratelimit-") + kind.header;
    limits::LimitReading reading;
    reading.kind = kind.name;
    reading.remaining = header_count(headers, prefix + "-remaining");
    reading.limit = header_count(headers, prefix + "-limit");
    if (reading.remaining < 0 && reading.limit < 0) {
      continue;
    }
    if (auto reset = headers.get(prefix + "-reset")) {
      if (auto when = util::parse_rfc3339(util::trim(*reset))) {
        reading.reset = now + std::max(*when - origin, util::Millis{0});
      }
    }
    readings.push_back(std::move(reading));
  }
  return readings;
}

std::optional<util::TimePoint> regain_access_time(std::string_view message) {
  constexpr std::string_view k_marker = "regain access on ";
  auto at = message.find(k_marker);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view rest = message.substr(at + k_marker.size());
  // YYYY-MM-DD, then optionally " at HH:MM" or " at HH:MM:SS", then " UTC".
  if (rest.size() < 10 || rest[4] != '-' || rest[7] != '-' || !digits(rest.substr(0, 4)) ||
      !digits(rest.substr(5, 2)) || !digits(rest.substr(8, 2))) {
    return std::nullopt;
  }
  std::string date(rest.substr(0, 10));
  std::string time = "00:00:00";
  rest.remove_prefix(10);
  if (rest.starts_with(" at ")) {
    rest.remove_prefix(4);
    if (rest.size() < 5 || rest[2] != ':' || !digits(rest.substr(0, 2)) ||
        !digits(rest.substr(3, 2))) {
      return std::nullopt;
    }
    time = std::string(rest.substr(0, 5)) + ":00";
    rest.remove_prefix(5);
    if (rest.size() >= 3 && rest[0] == ':' && digits(rest.substr(1, 2))) {
      time = time.substr(0, 6) + std::string(rest.substr(1, 2));
      rest.remove_prefix(3);
    }
    // Only UTC is ever named; another zone would be a guess.
    if (!rest.starts_with(" UTC")) {
      return std::nullopt;
    }
  }
  return util::parse_rfc3339(date + "T" + time + "Z");
}

} // namespace upstream
