// Feeds an arbitrary byte stream to the Bedrock stream reader (AWS
// event-stream frames carrying base64 Anthropic events) twice: whole, and
// split at positions taken from the input itself. Both must yield the same
// events and the same failure (the frames cannot depend on chunk
// boundaries), and nothing may crash. A valid frame is appended once so that
// the decoding path past the checksums is reached too.
#include "upstream/bedrock_events.hpp"
#include "upstream/event_stream.hpp"

#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct Result {
  std::vector<upstream::SseEvent> events;
  std::string failure;
  bool mid_event = false;
};

Result read(std::string_view bytes, std::size_t step) {
  upstream::BedrockEventReader reader;
  Result result;
  auto sink = [&](const upstream::SseEvent& event) { result.events.push_back(event); };
  for (std::size_t at = 0; at < bytes.size(); at += step) {
    if (!reader.feed(bytes.substr(at, step), sink)) {
      break;
    }
  }
  result.failure = reader.failure();
  result.mid_event = reader.mid_event();
  return result;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t step = 1 + data[0] % 17;
  if (data[0] & 0x80) {
    // The payload as the body of one well-formed chunk frame.
    input =
        upstream::encode_event_frame({{":event-type", "chunk"}, {":message-type", "event"}}, input);
  }
  Result whole = read(input, input.size() + 1);
  Result split = read(input, step);
  if (whole.failure != split.failure || whole.events.size() != split.events.size() ||
      (whole.failure.empty() && whole.mid_event != split.mid_event)) {
    std::abort();
  }
  for (std::size_t i = 0; i < whole.events.size(); ++i) {
    if (whole.events[i].name != split.events[i].name ||
        whole.events[i].data != split.events[i].data) {
      std::abort();
    }
  }
  return 0;
}
