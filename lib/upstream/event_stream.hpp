#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace upstream {

// One message of the AWS event-stream encoding (the binary framing of
// Bedrock's invoke-with-response-stream): its headers and its payload.
// Header values of the string and byte-array types are kept as bytes; those
// of other types (numbers, booleans, times, UUIDs) are kept empty, since
// bridge reads none of them.
struct EventFrame {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload;

  // The value of the header `name` (exact, as AWS names them: ":event-type").
  std::optional<std::string_view> header(std::string_view name) const;
};

// An incremental reader of event-stream frames:
//
//   total length (u32, big-endian) | headers length (u32) | prelude CRC32
//   headers | payload | message CRC32
//
// Both checksums are zlib's crc32, the prelude's over the first 8 bytes and
// the message's over everything before it. Bytes may be split anywhere.
// Memory is bounded: a frame may be at most `max_frame` bytes. A checksum
// that does not match, a length out of bounds or headers that do not parse
// break the stream: feed returns false, failure() says why, and the reader
// reads nothing more.
class EventStreamReader {
public:
  using FrameSink = std::function<void(const EventFrame&)>;

  explicit EventStreamReader(std::size_t max_frame = 16 * 1024 * 1024) : m_max_frame(max_frame) {}

  bool feed(std::string_view bytes, const FrameSink& sink);
  const std::string& failure() const { return m_failure; }
  bool failed() const { return !m_failure.empty(); }
  // Whether bytes of an unfinished frame are pending.
  bool mid_frame() const { return !m_buffer.empty(); }

private:
  // Reads the frame at the start of `bytes` when it is all there: its size,
  // 0 when more bytes are needed, or nullopt when it is broken.
  std::optional<std::size_t> take_frame(std::string_view bytes, const FrameSink& sink);

  std::size_t m_max_frame;
  std::string m_buffer;
  std::string m_failure;
};

// One frame in the event-stream encoding, with string headers and correct
// checksums (for tests and the mock's counterpart).
std::string encode_event_frame(const std::vector<std::pair<std::string, std::string>>& headers,
                               std::string_view payload);

} // namespace upstream
