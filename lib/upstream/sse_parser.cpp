#include "upstream/sse_parser.hpp"

#include <cstring>

namespace upstream {

namespace {
// The first CR or LF in `bytes`. find_first_of with a two-byte set calls
// memchr once per byte, which dominated long streams; two bounded memchr
// calls (LF first, then CR only before it) keep the scan vectorised.
std::size_t find_line_end(std::string_view bytes) {
  const char* data = bytes.data();
  const void* lf = std::memchr(data, '\n', bytes.size());
  std::size_t limit =
      lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - data) : bytes.size();
  const void* cr = std::memchr(data, '\r', limit);
  if (cr) {
    return static_cast<std::size_t>(static_cast<const char*>(cr) - data);
  }
  return lf ? limit : std::string_view::npos;
}
} // namespace

bool SseParser::feed(std::string_view bytes, const EventSink& sink) {
  if (m_failed) {
    return false;
  }
  while (!bytes.empty()) {
    if (m_after_cr && bytes.front() == '\n') {
      bytes.remove_prefix(1); // the LF of a CRLF whose CR ended the last chunk
    }
    m_after_cr = false;
    auto end = find_line_end(bytes);
    if (end == std::string_view::npos) {
      if (m_line.size() + bytes.size() > m_max_line) {
        m_failed = true;
        return false;
      }
      m_line.append(bytes);
      return true;
    }
    if (m_line.size() + end > m_max_line) {
      m_failed = true;
      return false;
    }
    bool cr = bytes[end] == '\r';
    if (m_line.empty()) {
      process_line(bytes.substr(0, end), sink);
      if (m_failed) {
        return false;
      }
    } else {
      m_line.append(bytes.substr(0, end));
      process_line(m_line, sink);
      if (m_failed) {
        return false;
      }
      m_line.clear();
    }
    bytes.remove_prefix(end + 1);
    if (cr) {
      if (!bytes.empty() && bytes.front() == '\n') {
        bytes.remove_prefix(1);
      } else if (bytes.empty()) {
        m_after_cr = true;
      }
    }
  }
  return true;
}

void SseParser::process_line(std::string_view line, const EventSink& sink) {
  if (line.empty()) {
    if (m_has_data) {
      if (m_event.name.empty()) {
        m_event.name = "message";
      }
      sink(m_event);
    }
    m_event.name.clear();
    m_event.data.clear();
    m_has_fields = false;
    m_has_data = false;
    return;
  }
  if (line.front() == ':') {
    return; // a comment, often a keep-alive
  }
  auto colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value =
      colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  m_has_fields = true;
  if (field == "event") {
    m_event.name.assign(value);
  } else if (field == "data") {
    if (m_event.data.size() + value.size() + 1 > m_max_line) {
      // Endless data lines without a blank line: bounded like one long line.
      m_failed = true;
      return;
    }
    if (m_has_data) {
      m_event.data += '\n';
    }
    m_event.data.append(value);
    m_has_data = true;
  }
  // "id", "retry" and unknown fields mean nothing to a one-shot client.
}

} // namespace upstream
