#pragma once

#include "upstream/sse_parser.hpp"

#include <string>
#include <string_view>

namespace upstream {

// Reads the bytes of a streamed answer into events, as they arrive, whatever
// the wire carries them in: server-sent events (SseEventReader) or AWS
// event-stream frames (BedrockEventReader). Each event reaches `sink` as an
// SseEvent (its name and its JSON data), so that a provider's decode_event
// reads every wire the same way.
class EventReader {
public:
  virtual ~EventReader() = default;

  // Feeds the next bytes and calls `sink` for each event they complete.
  // Returns false once the stream is broken (failure() says how); the
  // reader then stays failed and reads nothing more.
  virtual bool feed(std::string_view bytes, const SseParser::EventSink& sink) = 0;
  // Why the stream is broken, in words for a report; empty while it is not.
  virtual const std::string& failure() const = 0;
  // Whether bytes of an unfinished event are pending (a stream that ends
  // now ends inside an event).
  virtual bool mid_event() const = 0;
  // Whether the stream's own bytes are events a user can read as they are
  // (server-sent events): `stream --raw` relays them as received. Otherwise
  // (binary frames) it writes each event as a server-sent event.
  virtual bool relays_bytes() const = 0;
};

// Server-sent events (text/event-stream), through SseParser.
class SseEventReader final : public EventReader {
public:
  bool feed(std::string_view bytes, const SseParser::EventSink& sink) override;
  const std::string& failure() const override { return m_failure; }
  bool mid_event() const override { return m_parser.mid_event(); }
  bool relays_bytes() const override { return true; }

private:
  SseParser m_parser;
  std::string m_failure;
};

} // namespace upstream
