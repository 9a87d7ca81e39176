#pragma once

#include "upstream/event_reader.hpp"
#include "upstream/event_stream.hpp"

namespace upstream {

// The stream of Bedrock's invoke-with-response-stream: AWS event-stream
// frames (EventStreamReader), each an Anthropic stream event.
//
// - An `event` frame of type `chunk` carries {"bytes": BASE64}, the base64 of
//   one Anthropic event as JSON: it reaches the sink as the event named by
//   its "type" (content_block_delta, message_stop, ...) with that JSON.
// - An `exception` (or `error`) frame is a mid-stream error: it reaches the
//   sink as an `error` event in the Anthropic shape, its type the frame's
//   :exception-type (or :error-code), its message the payload's "message".
// - Other event types are skipped.
// A frame that fails its checksum, a stream cut inside a frame (mid_event)
// and a chunk whose payload is not what it should be break the stream.
class BedrockEventReader final : public EventReader {
public:
  bool feed(std::string_view bytes, const SseParser::EventSink& sink) override;
  const std::string& failure() const override;
  bool mid_event() const override { return m_frames.mid_frame(); }
  bool relays_bytes() const override { return false; }

private:
  void on_frame(const EventFrame& frame, const SseParser::EventSink& sink);

  EventStreamReader m_frames;
  std::string m_failure;
};

} // namespace upstream
