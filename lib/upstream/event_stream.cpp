#include "upstream/event_stream.hpp"

#include <zlib.h>

namespace upstream {

namespace {

// Prelude (3 x 4 bytes) and the message checksum: the smallest frame.
constexpr std::size_t k_prelude = 12;
constexpr std::size_t k_overhead = k_prelude + 4;

std::uint32_t be32(std::string_view bytes, std::size_t at) {
  auto byte = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i]));
  };
  return (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
}

std::uint32_t checksum(std::string_view bytes) {
  return static_cast<std::uint32_t>(
      ::crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

void put_be(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

// The headers block: name length (u8), name, value type (u8), value. The
// sizes of the fixed types are those of the AWS encoding.
bool parse_headers(std::string_view block, EventFrame& frame) {
  std::size_t at = 0;
  while (at < block.size()) {
    std::size_t name_length = static_cast<unsigned char>(block[at++]);
    if (name_length == 0 || block.size() - at < name_length + 1) {
      return false;
    }
    std::string name(block.substr(at, name_length));
    at += name_length;
    int type = static_cast<unsigned char>(block[at++]);
    std::size_t fixed = 0;
    switch (type) {
    case 0: // true
    case 1: // false
      break;
    case 2: // byte
      fixed = 1;
      break;
    case 3: // short
      fixed = 2;
      break;
    case 4: // integer
      fixed = 4;
      break;
    case 5: // long
    case 8: // timestamp
      fixed = 8;
      break;
    case 9: // uuid
      fixed = 16;
      break;
    case 6:   // byte array
    case 7: { // string
      if (block.size() - at < 2) {
        return false;
      }
      std::size_t length = (static_cast<std::size_t>(static_cast<unsigned char>(block[at])) << 8) |
                           static_cast<unsigned char>(block[at + 1]);
      at += 2;
      if (block.size() - at < length) {
        return false;
      }
      frame.headers.emplace_back(std::move(name), std::string(block.substr(at, length)));
      at += length;
      continue;
    }
    default:
      return false;
    }
    if (block.size() - at < fixed) {
      return false;
    }
    at += fixed;
    frame.headers.emplace_back(std::move(name), std::string());
  }
  return true;
}

} // namespace

std::optional<std::string_view> EventFrame::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) {
      return std::string_view(value);
    }
  }
  return std::nullopt;
}

bool EventStreamReader::feed(std::string_view bytes, const FrameSink& sink) {
  if (failed()) {
    return false;
  }
  m_buffer.append(bytes);
  std::string_view rest(m_buffer);
  std::size_t used = 0;
  while (true) {
    auto size = take_frame(rest.substr(used), sink);
    if (!size) {
      m_buffer.clear();
      return false;
    }
    if (*size == 0) {
      break;
    }
    used += *size;
  }
  m_buffer.erase(0, used);
  return true;
}

std::optional<std::size_t> EventStreamReader::take_frame(std::string_view bytes,
                                                         const FrameSink& sink) {
  if (bytes.size() < k_prelude) {
    return 0;
  }
  std::size_t total = be32(bytes, 0);
  std::size_t headers_length = be32(bytes, 4);
  if (be32(bytes, 8) != checksum(bytes.substr(0, 8))) {
    m_failure = "an event-stream frame failed its prelude checksum";
    return std::nullopt;
  }
  if (total < k_overhead || total > m_max_frame || headers_length > total - k_overhead) {
    m_failure = "an event-stream frame has an impossible length";
    return std::nullopt;
  }
  if (bytes.size() < total) {
    return 0;
  }
  if (be32(bytes, total - 4) != checksum(bytes.substr(0, total - 4))) {
    m_failure = "an event-stream frame failed its message checksum";
    return std::nullopt;
  }
  EventFrame frame;
  if (!parse_headers(bytes.substr(k_prelude, headers_length), frame)) {
    m_failure = "an event-stream frame has malformed headers";
    return std::nullopt;
  }
  std::size_t payload_at = k_prelude + headers_length;
  frame.payload = std::string(bytes.substr(payload_at, total - 4 - payload_at));
  sink(frame);
  return total;
}

std::string encode_event_frame(const std::vector<std::pair<std::string, std::string>>& headers,
                               std::string_view payload) {
  std::string block;
  for (const auto& [name, value] : headers) {
    put_be(block, name.size(), 1);
    block += name;
    put_be(block, 7, 1); // string
    put_be(block, value.size(), 2);
    block += value;
  }
  std::string frame;
  put_be(frame, k_overhead + block.size() + payload.size(), 4);
  put_be(frame, block.size(), 4);
  put_be(frame, checksum(frame), 4);
  frame += block;
  frame += payload;
  put_be(frame, checksum(frame), 4);
  return frame;
}

} // namespace upstream
