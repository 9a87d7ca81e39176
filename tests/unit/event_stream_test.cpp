#include "upstream/event_stream.hpp"

#include <doctest/doctest.h>
#include <zlib.h>

#include <string>
#include <vector>

using upstream::EventFrame;
using upstream::EventStreamReader;

namespace {

std::string chunk_frame(const std::string& payload) {
  return upstream::encode_event_frame(
      {{":event-type", "chunk"}, {":content-type", "application/json"}, {":message-type", "event"}},
      payload);
}

std::vector<EventFrame> read_all(EventStreamReader& reader, const std::string& bytes,
                                 std::size_t step, bool& ok) {
  std::vector<EventFrame> frames;
  ok = true;
  for (std::size_t at = 0; at < bytes.size() && ok; at += step) {
    ok = reader.feed(std::string_view(bytes).substr(at, step),
                     [&](const EventFrame& frame) { frames.push_back(frame); });
  }
  return frames;
}

} // namespace

TEST_CASE("event stream: frames split anywhere read the same") {
  std::string bytes = chunk_frame("{\"bytes\":\"one\"}") + chunk_frame("") + chunk_frame("three");
  for (std::size_t step : {1, 2, 5, 13, 1000}) {
    CAPTURE(step);
    EventStreamReader reader;
    bool ok = false;
    auto frames = read_all(reader, bytes, step, ok);
    CHECK(ok);
    REQUIRE(frames.size() == 3);
    CHECK(frames[0].payload == "{\"bytes\":\"one\"}");
    CHECK(frames[1].payload.empty());
    CHECK(frames[2].payload == "three");
    CHECK(frames[0].header(":event-type") == std::string_view("chunk"));
    CHECK(frames[0].header(":message-type") == std::string_view("event"));
    CHECK_FALSE(frames[0].header(":exception-type"));
    CHECK_FALSE(reader.mid_frame());
  }
}

TEST_CASE("event stream: a frame cut short is pending, not an event") {
  std::string frame = chunk_frame("payload");
  EventStreamReader reader;
  bool ok = false;
  auto frames = read_all(reader, frame.substr(0, frame.size() - 3), 4, ok);
  CHECK(ok);
  CHECK(frames.empty());
  CHECK(reader.mid_frame());
}

TEST_CASE("event stream: a wrong message checksum breaks the stream") {
  std::string good = chunk_frame("first");
  std::string bad = chunk_frame("second");
  bad[bad.size() - 10] ^= 0x01; // a payload byte
  EventStreamReader reader;
  bool ok = true;
  auto frames = read_all(reader, good + bad + good, 7, ok);
  CHECK_FALSE(ok);
  CHECK(frames.size() == 1);
  CHECK(reader.failure() == "an event-stream frame failed its message checksum");
  // It stays failed.
  CHECK_FALSE(reader.feed(good, [](const EventFrame&) {}));
}

TEST_CASE("event stream: a wrong prelude checksum or an impossible length breaks it") {
  std::string frame = chunk_frame("x");
  std::string prelude = frame;
  prelude[2] ^= 0x40; // the total length, which the prelude checksum covers
  EventStreamReader first;
  CHECK_FALSE(first.feed(prelude, [](const EventFrame&) {}));
  CHECK(first.failure() == "an event-stream frame failed its prelude checksum");

  EventStreamReader small(32); // a frame larger than the bound
  CHECK_FALSE(small.feed(chunk_frame(std::string(100, 'a')), [](const EventFrame&) {}));
  CHECK(small.failure() == "an event-stream frame has an impossible length");
}

TEST_CASE("event stream: headers of every type are skipped or read") {
  // One header of each fixed-size type, then a string, framed by hand.
  std::string block;
  auto header = [&](const std::string& name, int type, const std::string& value) {
    block.push_back(static_cast<char>(name.size()));
    block += name;
    block.push_back(static_cast<char>(type));
    block += value;
  };
  header("t", 0, "");
  header("b", 2, "x");
  header("l", 5, std::string(8, '\0'));
  header("u", 9, std::string(16, '\0'));
  header("s", 7, std::string{0, 2} + "ok");
  std::string raw;
  auto put = [&](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      raw.push_back(static_cast<char>((v >> shift) & 0xff));
    }
  };
  auto crc = [](const std::string& bytes) {
    return static_cast<std::uint32_t>(
        crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
  };
  put(static_cast<std::uint32_t>(16 + block.size() + 2));
  put(static_cast<std::uint32_t>(block.size()));
  put(crc(raw));
  raw += block + "pl";
  put(crc(raw));
  EventStreamReader reader;
  std::vector<EventFrame> frames;
  CHECK(reader.feed(raw, [&](const EventFrame& frame) { frames.push_back(frame); }));
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].headers.size() == 5);
  CHECK(frames[0].header("s") == std::string_view("ok"));
  CHECK(frames[0].header("t") == std::string_view(""));
  CHECK(frames[0].payload == "pl");

  // A header of an unknown type (10) is malformed.
  std::string broken = raw;
  broken[12 + 2] = 10; // the type byte of the first header ("t")
  std::string fixed = broken.substr(0, broken.size() - 4);
  broken = fixed;
  for (int shift = 24; shift >= 0; shift -= 8) {
    broken.push_back(static_cast<char>((crc(fixed) >> shift) & 0xff));
  }
  EventStreamReader strict;
  CHECK_FALSE(strict.feed(broken, [](const EventFrame&) {}));
  CHECK(strict.failure() == "an event-stream frame has malformed headers");
}
