#include "upstream/openai.hpp"

#include "upstream/answer_text.hpp"
#include "upstream/openai_chunk.hpp"
#include "upstream/retry_after.hpp"
#include "util/go_duration.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

namespace upstream {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

// The 429 codes (in error.code, or error.type) of a key whose quota, credit
// or spend limit is used up: waiting a minute does not help, so the key
// rests for long and for every model.
constexpr std::array<std::string_view, 5> k_spend_codes = {
    "insufficient_quota",
    "credit_balance_exhausted",
    "organization_spend_limit_exceeded",
    "project_spend_limit_exceeded",
    "organization_usage_limit_exceeded",
};

bool is_spend_code(std::string_view code) {
  return std::find(k_spend_codes.begin(), k_spend_codes.end(), code) != k_spend_codes.end();
}

// A JSON string member, or "" (error.code may be null, a number, absent).
std::string string_member(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end()) {
    return {};
  }
  if (it->is_string()) {
    return it->get<std::string>();
  }
  if (it->is_number_integer()) {
    return std::to_string(it->get<long long>());
  }
  return {};
}

// The error object of a body: {"error":{...}} as OpenAI sends it, or a flat
// {"object":"error","message":...} as some compatible servers (vLLM) do.
const json* error_object(const json& parsed) {
  if (!parsed.is_object()) {
    return nullptr;
  }
  auto error = parsed.find("error");
  if (error != parsed.end() && error->is_object()) {
    return &*error;
  }
  auto object = parsed.find("object");
  if (object != parsed.end() && object->is_string() &&
      object->get_ref<const std::string&>() == "error") {
    return &parsed;
  }
  return nullptr;
}

// Reads the error of a body (type, message, code); false when there is none.
bool read_error(const json& parsed, UpstreamError& out, std::string& code) {
  const json* error = error_object(parsed);
  if (error == nullptr) {
    // Some servers send {"error":"text"}.
    if (parsed.is_object()) {
      auto text = parsed.find("error");
      if (text != parsed.end() && text->is_string()) {
        out = UpstreamError{"api_error", text->get<std::string>()};
        return true;
      }
    }
    return false;
  }
  out.type = string_member(*error, "type");
  out.message = string_member(*error, "message");
  code = string_member(*error, "code");
  if (out.type.empty()) {
    out.type = code.empty() ? "api_error" : code;
  }
  return true;
}

} // namespace

bool is_openai_host(std::string_view base_url) {
  auto scheme = base_url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? base_url : base_url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    rest.remove_prefix(at + 1);
  }
  rest = rest.substr(0, rest.find(':'));
  if (!rest.empty() && rest.back() == '.') {
    rest.remove_suffix(1); // a fully qualified name
  }
  return util::iequals(rest, "api.openai.com");
}

const ProviderProfile& OpenAiProvider::profile() const {
  static const ProviderProfile k_profile{
      "openai",
      "https://api.openai.com/v1",
      "OPENAI_BASE_URL",
      "OPENAI_API_KEY",
      "openai.keys",
      "gpt-4o-mini",
      "x-request-id",
      "a chat completion",
      "data: [DONE]",
      2.0,
      "/openai/v1",
      "text/event-stream", // the stream's content type
  };
  return k_profile;
}

std::string OpenAiProvider::build_body(const PromptRequest& request,
                                       std::string_view base_url) const {
  ordered_json body;
  body["model"] = request.model;
  ordered_json messages = ordered_json::array();
  if (request.system) {
    messages.push_back({{"role", "system"}, {"content", *request.system}});
  }
  messages.push_back({{"role", "user"}, {"content", request.prompt}});
  body["messages"] = std::move(messages);
  if (request.max_tokens) {
    body[is_openai_host(base_url) ? "max_completion_tokens" : "max_tokens"] = *request.max_tokens;
  }
  if (request.temperature) {
    body["temperature"] = *request.temperature;
  }
  if (!request.stop.empty()) {
    body["stop"] = request.stop;
  }
  if (request.stream) {
    body["stream"] = true;
  }
  return json_line(body);
}

HttpRequest OpenAiProvider::request(std::string_view base_url, const std::string& secret,
                                    std::string body, bool stream) const {
  return HttpRequest{"POST",
                     std::string(base_url) + "/chat/completions",
                     {
                         "authorization: Bearer " + secret,
                         "content-type: application/json",
                         stream ? "accept: text/event-stream" : "accept: application/json",
                     },
                     std::move(body),
                     std::nullopt};
}

HttpRequest OpenAiProvider::forward(std::string_view base_url, const std::string& secret,
                                    std::string method, std::string_view path,
                                    std::vector<std::string> headers, std::string body) const {
  headers.push_back("authorization: Bearer " + secret);
  return HttpRequest{std::move(method), std::string(base_url) + std::string(path),
                     std::move(headers), std::move(body), std::nullopt};
}

std::string OpenAiProvider::error_body(std::string_view type, std::string_view message) const {
  ordered_json body = {{"error",
                        {{"message", std::string(message)},
                         {"type", std::string(type)},
                         {"param", nullptr},
                         {"code", nullptr}}}};
  return json_line(body);
}

HttpRequest OpenAiProvider::probe(std::string_view base_url, const std::string& secret,
                                  const std::string&) const {
  // The model list: no tokens spent, whatever the model.
  return HttpRequest{"GET",
                     std::string(base_url) + "/models",
                     {"authorization: Bearer " + secret, "accept: application/json"},
                     {},
                     std::nullopt};
}

std::optional<std::string> OpenAiProvider::answer_text(std::string_view body) const {
  return openai_answer_text(body);
}

EventKind OpenAiProvider::decode_event(const SseEvent& event, bool want_text, std::string& text,
                                       UpstreamError& error) const {
  std::string_view data = util::trim(event.data);
  if (data == "[DONE]") {
    return EventKind::done;
  }
  if (event.name == "error") {
    // Not what OpenAI sends, but what a compatible server might.
    json parsed = json::parse(data, nullptr, false);
    std::string code;
    if (parsed.is_discarded() || !read_error(parsed, error, code)) {
      error = UpstreamError{"api_error", "malformed error event"};
    }
    return EventKind::error;
  }
  if (!want_text && data.find("\"error\"") == std::string_view::npos) {
    return EventKind::ignored; // relaying: only the end and errors matter
  }
  if (want_text) {
    // The text chunks, which are nearly all of a stream: the fast reader
    // (openai_chunk.hpp). A chunk with an "error" member is read below.
    switch (append_openai_chunk(data, text)) {
    case ChunkKind::text:
      return EventKind::text;
    case ChunkKind::ignored:
      return EventKind::ignored;
    case ChunkKind::malformed:
      return EventKind::malformed;
    case ChunkKind::error:
      break;
    }
  }
  json parsed = json::parse(data, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return want_text ? EventKind::malformed : EventKind::ignored;
  }
  std::string code;
  if (parsed.contains("error") && read_error(parsed, error, code)) {
    return EventKind::error;
  }
  if (!want_text) {
    return EventKind::ignored;
  }
  auto choices = parsed.find("choices");
  if (choices == parsed.end() || !choices->is_array() || choices->empty()) {
    return EventKind::ignored; // a usage chunk, or one of another kind
  }
  const json& first = choices->front();
  auto delta = first.is_object() ? first.find("delta") : first.end();
  if (!first.is_object() || delta == first.end() || !delta->is_object()) {
    return EventKind::malformed;
  }
  auto content = delta->find("content");
  if (content == delta->end() || content->is_null()) {
    return EventKind::ignored; // the role chunk, the finish chunk, a tool call
  }
  if (!content->is_string()) {
    return EventKind::malformed;
  }
  text += content->get_ref<const std::string&>();
  return EventKind::text;
}

Provider::ErrorBody OpenAiProvider::read_error_body(long status, const Headers&,
                                                    std::string_view body) const {
  ErrorBody read;
  json parsed = json::parse(body, nullptr, false);
  UpstreamError error;
  if (!parsed.is_discarded() && read_error(parsed, error, read.code)) {
    read.error = std::move(error);
  }
  std::string_view type = read.error ? std::string_view(read.error->type) : std::string_view();
  if (status == 429 && (is_spend_code(read.code) || type == "insufficient_quota")) {
    read.limit = limits::Limit::spend;
  } else if (status == 402) {
    // OpenAI itself does not send 402; compatible hosts that sell credits
    // (OpenRouter) do, when the key's account has none left.
    read.limit = limits::Limit::billing;
  }
  return read;
}

util::Millis OpenAiProvider::retry_after(long status, const Headers& headers,
                                         util::TimePoint now) const {
  util::Millis asked = parse_retry_after(headers, now);
  if (asked.count() > 0 || status != 429) {
    return asked;
  }
  // A 429 that names no delay: the later of the two resets, each a Go
  // duration ("1s", "6m0s", "20ms").
  util::Millis later{0};
  for (const char* name : {"x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"}) {
    if (auto value = headers.get(name)) {
      if (auto delay = util::parse_go_duration(util::trim(*value))) {
        later = std::max(later, std::min(*delay, k_max_retry_after));
      }
    }
  }
  return later;
}

std::vector<limits::LimitReading> OpenAiProvider::rate_limits(const Headers& headers,
                                                              util::TimePoint now) const {
  // x-ratelimit-{remaining,limit,reset}-KIND; the reset is a Go duration
  // from now ("6m0s"), so no clock skew enters.
  std::vector<limits::LimitReading> readings;
  for (std::string kind : {"requests", "tokens"}) {
    limits::LimitReading reading;
    reading.kind = kind;
    reading.remaining = header_count(headers, "x-ratelimit-remaining-" + kind);
    reading.limit = header_count(headers, "x-ratelimit-limit-" + kind);
    if (reading.remaining < 0 && reading.limit < 0) {
      continue;
    }
    if (auto value = headers.get("x-ratelimit-reset-" + kind)) {
      if (auto delay = util::parse_go_duration(util::trim(*value))) {
        reading.reset = now + std::min(*delay, k_max_retry_after);
      }
    }
    readings.push_back(std::move(reading));
  }
  return readings;
}

} // namespace upstream
