#include "upstream/event_reader.hpp"

namespace upstream {

bool SseEventReader::feed(std::string_view bytes, const SseParser::EventSink& sink) {
  if (!m_parser.feed(bytes, sink)) {
    m_failure = "an event-stream line is longer than 16 MiB";
    return false;
  }
  return true;
}

} // namespace upstream
