// Feeds an arbitrary byte stream to the SSE parser twice: whole, and split at
// positions taken from the input itself. Both must yield the same events (the
// parser's output cannot depend on chunk boundaries) and never crash.
#include "upstream/sse_parser.hpp"

#include <cstdlib>
#include <string>
#include <vector>

namespace {
std::vector<upstream::SseEvent> parse(std::string_view text, std::size_t step) {
  upstream::SseParser parser(4096);
  std::vector<upstream::SseEvent> events;
  auto sink = [&](const upstream::SseEvent& event) { events.push_back(event); };
  for (std::size_t pos = 0; pos < text.size(); pos += step) {
    if (!parser.feed(text.substr(pos, step), sink)) {
      events.push_back({"<failed>", {}});
      break;
    }
  }
  return events;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t step = 1 + data[0] % 13;
  auto whole = parse(text, text.size() + 1);
  auto split = parse(text, step);
  if (whole.size() != split.size()) {
    std::abort();
  }
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (whole[i].name != split[i].name || whole[i].data != split[i].data) {
      std::abort();
    }
  }
  return 0;
}
