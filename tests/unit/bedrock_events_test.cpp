#include "upstream/bedrock_events.hpp"

#include "upstream/base64.hpp"
#include "upstream/event_stream.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

std::string chunk(const std::string& event_json) {
  return upstream::encode_event_frame(
      {{":event-type", "chunk"}, {":content-type", "application/json"}, {":message-type", "event"}},
      "{\"bytes\":\"" + upstream::base64_encode(event_json) + "\",\"p\":\"abc\"}");
}

std::vector<upstream::SseEvent> read(upstream::BedrockEventReader& reader, const std::string& bytes,
                                     bool& ok) {
  std::vector<upstream::SseEvent> events;
  ok = reader.feed(bytes, [&](const upstream::SseEvent& event) { events.push_back(event); });
  return events;
}

} // namespace

TEST_CASE("bedrock events: each chunk is the Anthropic event it carries") {
  std::string delta =
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}})";
  std::string stop = R"({"type":"message_stop"})";
  upstream::BedrockEventReader reader;
  bool ok = false;
  auto events = read(reader, chunk(delta) + chunk(stop), ok);
  CHECK(ok);
  REQUIRE(events.size() == 2);
  CHECK(events[0].name == "content_block_delta");
  CHECK(events[0].data == delta);
  CHECK(events[1].name == "message_stop");
  CHECK_FALSE(reader.relays_bytes());
}

TEST_CASE("bedrock events: an exception frame is an error event of its type") {
  std::string frame = upstream::encode_event_frame(
      {{":exception-type", "throttlingException"}, {":message-type", "exception"}},
      R"({"message":"Too many tokens, please wait"})");
  upstream::BedrockEventReader reader;
  bool ok = false;
  auto events = read(reader, frame, ok);
  CHECK(ok);
  REQUIRE(events.size() == 1);
  CHECK(events[0].name == "error");
  CHECK(events[0].data.find("\"type\":\"throttlingException\"") != std::string::npos);
  CHECK(events[0].data.find("Too many tokens, please wait") != std::string::npos);
}

TEST_CASE("bedrock events: a chunk without an Anthropic event breaks the stream") {
  upstream::BedrockEventReader reader;
  bool ok = true;
  std::string frame = upstream::encode_event_frame({{":event-type", "chunk"}}, R"({"bytes":"!!"})");
  auto events = read(reader, frame, ok);
  CHECK_FALSE(ok);
  CHECK(events.empty());
  CHECK(reader.failure() == "an event-stream frame carries no Anthropic event");
}

TEST_CASE("bedrock events: a bad checksum and a cut frame are told apart") {
  std::string frame = chunk(R"({"type":"message_stop"})");
  upstream::BedrockEventReader cut;
  bool ok = false;
  read(cut, frame.substr(0, 20), ok);
  CHECK(ok);
  CHECK(cut.mid_event());
  std::string corrupt = frame;
  corrupt[corrupt.size() - 1] ^= 0x20;
  upstream::BedrockEventReader bad;
  read(bad, corrupt, ok);
  CHECK_FALSE(ok);
  CHECK(bad.failure() == "an event-stream frame failed its message checksum");
}
