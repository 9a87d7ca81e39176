#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace upstream {

// One server-sent event: its `event:` name ("message" when none was given)
// and its `data:` lines joined with '\n'.
struct SseEvent {
  std::string name;
  std::string data;
};

// An incremental parser for text/event-stream (WHATWG HTML §9.2). Bytes may
// be split at any point, lines may end in CRLF, LF or CR, comment lines (":")
// are skipped, and several data lines make one event. Memory is bounded: a
// line, or the data of one event, longer than `max_line` is an error, not
// growth.
class SseParser {
public:
  using EventSink = std::function<void(const SseEvent&)>;

  explicit SseParser(std::size_t max_line = 16 * 1024 * 1024) : m_max_line(max_line) {}

  // Feeds the next bytes and calls `sink` for each event they complete.
  // Returns false once a line has exceeded the bound; the parser then stays
  // failed.
  bool feed(std::string_view bytes, const EventSink& sink);
  bool failed() const { return m_failed; }
  // Whether bytes of an unfinished line or event are pending.
  bool mid_event() const { return !m_line.empty() || m_has_fields; }

private:
  void process_line(std::string_view line, const EventSink& sink);

  std::size_t m_max_line;
  std::string m_line;
  SseEvent m_event;
  bool m_has_fields = false;
  bool m_has_data = false;
  bool m_after_cr = false;
  bool m_failed = false;
};

} // namespace upstream
