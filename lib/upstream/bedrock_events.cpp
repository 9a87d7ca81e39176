#include "upstream/bedrock_events.hpp"

#include "upstream/base64.hpp"
#include "upstream/messages.hpp"

#include <nlohmann/json.hpp>

namespace upstream {

using nlohmann::json;

namespace {

std::string string_field(const json& document, const char* name) {
  if (!document.is_object()) {
    return {};
  }
  auto field = document.find(name);
  return field != document.end() && field->is_string() ? field->get<std::string>() : std::string();
}

} // namespace

bool BedrockEventReader::feed(std::string_view bytes, const SseParser::EventSink& sink) {
  if (!m_failure.empty()) {
    return false;
  }
  bool fed = m_frames.feed(bytes, [&](const EventFrame& frame) {
    if (m_failure.empty()) {
      on_frame(frame, sink);
    }
  });
  return fed && m_failure.empty();
}

const std::string& BedrockEventReader::failure() const {
  return m_failure.empty() ? m_frames.failure() : m_failure;
}

void BedrockEventReader::on_frame(const EventFrame& frame, const SseParser::EventSink& sink) {
  std::string_view message_type = frame.header(":message-type").value_or("event");
  if (message_type == "exception" || message_type == "error") {
    UpstreamError error;
    json payload = json::parse(frame.payload, nullptr, false);
    error.type =
        std::string(message_type == "exception" ? frame.header(":exception-type").value_or("")
                                                : frame.header(":error-code").value_or(""));
    error.message = message_type == "exception"
                        ? string_field(payload, "message")
                        : std::string(frame.header(":error-message").value_or(""));
    if (error.message.empty()) {
      error.message = string_field(payload, "Message");
    }
    if (error.type.empty()) {
      error.type = "InternalServerException";
    }
    sink(SseEvent{"error", error_json(error)});
    return;
  }
  if (frame.header(":event-type").value_or("") != "chunk") {
    return; // an event type bridge does not use
  }
  json payload = json::parse(frame.payload, nullptr, false);
  auto decoded = base64_decode(string_field(payload, "bytes"));
  json event = decoded ? json::parse(*decoded, nullptr, false) : json();
  std::string type = string_field(event, "type");
  if (type.empty()) {
    m_failure = "an event-stream frame carries no Anthropic event";
    return;
  }
  sink(SseEvent{std::move(type), std::move(*decoded)});
}

} // namespace upstream
