#include "upstream/sse_parser.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

using upstream::SseEvent;
using upstream::SseParser;

namespace {

using Events = std::vector<std::pair<std::string, std::string>>;

// Feeds `chunks` in order and returns the events; a refused chunk or an
// event left unfinished at the end adds a ("FAILED", ...) entry, so that the
// comparison with the expected events fails.
Events parse_chunks(const std::vector<std::string>& chunks, std::size_t max_line = 1 << 20) {
  SseParser parser(max_line);
  Events events;
  auto sink = [&](const SseEvent& event) { events.emplace_back(event.name, event.data); };
  for (const auto& chunk : chunks) {
    if (!parser.feed(chunk, sink)) {
      events.emplace_back("FAILED", "feed refused a chunk");
    }
  }
  if (parser.mid_event()) {
    events.emplace_back("FAILED", "an event was left unfinished");
  }
  return events;
}

Events parse_whole(const std::string& stream) { return parse_chunks({stream}); }

// A stream with every kind of line end, a comment, a multi-line event, an
// event without data and a `data:` without its space.
const std::string k_stream = ": keep-alive comment\r\n"
                             "event: message_start\r\n"
                             "data: {\"type\":\"message_start\"}\r\n"
                             "\r\n"
                             "event: content_block_delta\n"
                             "data: line one\n"
                             "data: line two\n"
                             "\n"
                             "data:nospace\r"
                             "\r"
                             "event: ping\n"
                             "\n"
                             "id: 7\r\n"
                             "retry: 1000\r\n"
                             "data:  two spaces\r\n"
                             "\r\n"
                             "data\n"
                             "\n"
                             "event: message_stop\r"
                             "data: {}\r\n"
                             "\r";

const Events k_expected = {
    {"message_start", "{\"type\":\"message_start\"}"},
    {"content_block_delta", "line one\nline two"},
    {"message", "nospace"},
    {"message", " two spaces"},
    {"message", ""},
    {"message_stop", "{}"},
};

} // namespace

TEST_CASE("sse: a whole stream in one chunk") { CHECK(parse_whole(k_stream) == k_expected); }

TEST_CASE("sse: the same stream one byte at a time") {
  std::vector<std::string> bytes;
  for (char c : k_stream) {
    bytes.emplace_back(1, c);
  }
  CHECK(parse_chunks(bytes) == k_expected);
}

TEST_CASE("sse: the same stream split in two at every byte boundary") {
  for (std::size_t split = 0; split <= k_stream.size(); ++split) {
    CAPTURE(split);
    CHECK(parse_chunks({k_stream.substr(0, split), k_stream.substr(split)}) == k_expected);
  }
}

TEST_CASE("sse: the same stream split in three at every pair of boundaries") {
  for (std::size_t first = 0; first <= k_stream.size(); ++first) {
    for (std::size_t second = first; second <= k_stream.size(); ++second) {
      auto events = parse_chunks({k_stream.substr(0, first), k_stream.substr(first, second - first),
                                  k_stream.substr(second)});
      if (events != k_expected) {
        FAIL_CHECK("split at " << first << " and " << second);
        return;
      }
    }
  }
}

TEST_CASE("sse: CRLF, LF and CR line ends") {
  for (std::string eol : {"\r\n", "\n", "\r"}) {
    CAPTURE(eol.size());
    auto events = parse_whole("event: a" + eol + "data: 1" + eol + "data: 2" + eol + eol +
                              "data: 3" + eol + eol);
    CHECK(events == Events{{"a", "1\n2"}, {"message", "3"}});
  }
}

TEST_CASE("sse: a CR at the end of a chunk and its LF in the next make one line end") {
  SseParser parser;
  Events events;
  auto sink = [&](const SseEvent& event) { events.emplace_back(event.name, event.data); };
  CHECK(parser.feed("data: a\r", sink));
  CHECK(events.empty());
  // If the LF were a second line end, it would end the event here with "a".
  CHECK(parser.feed("\ndata: b\r", sink));
  CHECK(events.empty());
  CHECK(parser.feed("\n\r", sink));
  CHECK(events == Events{{"message", "a\nb"}});
  // A CR then a chunk that does not start with LF: the CR alone ended the line.
  CHECK(parser.feed("data: c\r", sink));
  CHECK(parser.feed("data: d\r\r", sink));
  CHECK(events == Events{{"message", "a\nb"}, {"message", "c\nd"}});
  // An LF alone after a completed CR line end in an earlier chunk is a blank line.
  CHECK(parser.feed("data: e\r", sink));
  CHECK(parser.feed("\n", sink));
  CHECK(parser.feed("\n", sink));
  CHECK(events.size() == 3);
  CHECK(events.back() == std::pair<std::string, std::string>{"message", "e"});
}

TEST_CASE("sse: comments are skipped, even inside an event") {
  CHECK(parse_whole(":hello\n: more\ndata: 1\n: inside\ndata: 2\n\n") ==
        Events{{"message", "1\n2"}});
  CHECK(parse_whole(":\n\n").empty());
}

TEST_CASE("sse: an event without data is not dispatched, and names do not leak") {
  CHECK(parse_whole("event: ping\n\n").empty());
  CHECK(parse_whole("event: ping\n\ndata: x\n\n") == Events{{"message", "x"}});
  CHECK(parse_whole("event: one\ndata: 1\n\ndata: 2\n\n") ==
        Events{{"one", "1"}, {"message", "2"}});
  CHECK(parse_whole("event: first\nevent: second\ndata: x\n\n") == Events{{"second", "x"}});
  CHECK(parse_whole("event:\ndata: x\n\n") == Events{{"message", "x"}});
}

TEST_CASE("sse: field syntax") {
  CHECK(parse_whole("data:x\n\n") == Events{{"message", "x"}});
  CHECK(parse_whole("data: x\n\n") == Events{{"message", "x"}});
  CHECK(parse_whole("data:  x \n\n") == Events{{"message", " x "}});
  CHECK(parse_whole("data: a:b: c\n\n") == Events{{"message", "a:b: c"}});
  CHECK(parse_whole("data\n\n") == Events{{"message", ""}});
  CHECK(parse_whole("data:\ndata:\n\n") == Events{{"message", "\n"}});
  CHECK(parse_whole("Data: x\n\n").empty()); // field names are case-sensitive
  CHECK(parse_whole("unknown: y\ndata: x\n\n") == Events{{"message", "x"}});
}

TEST_CASE("sse: an unfinished event at the end of the input is not dispatched") {
  SseParser parser;
  Events events;
  auto sink = [&](const SseEvent& event) { events.emplace_back(event.name, event.data); };
  CHECK_FALSE(parser.mid_event());
  CHECK(parser.feed("event: content_block_delta\ndata: partial", sink));
  CHECK(parser.mid_event());
  CHECK(parser.feed("\n", sink));
  CHECK(parser.mid_event());
  CHECK(events.empty());
  CHECK(parser.feed("\n", sink));
  CHECK_FALSE(parser.mid_event());
  CHECK(events == Events{{"content_block_delta", "partial"}});
}

TEST_CASE("sse: a line or an event's data longer than max_line fails, and stays failed") {
  constexpr std::size_t k_max = 16;
  auto count_events = [](SseParser& parser, std::string_view bytes, int& count) {
    return parser.feed(bytes, [&](const SseEvent&) { ++count; });
  };
  SUBCASE("within one chunk") {
    SseParser parser(k_max);
    int count = 0;
    CHECK(count_events(parser, "data: 0123456789\n\n", count)); // 16 characters: fine
    CHECK(count == 1);
    CHECK_FALSE(count_events(parser, "data: 0123456789a\n\n", count)); // 17
    CHECK(parser.failed());
    CHECK(count == 1);
    CHECK_FALSE(count_events(parser, "data: ok\n\n", count));
    CHECK(parser.failed());
    CHECK(count == 1);
  }
  SUBCASE("grown over several chunks without a line end") {
    SseParser parser(k_max);
    int count = 0;
    CHECK(count_events(parser, "data: 01234", count));
    CHECK(count_events(parser, "56789", count));
    CHECK_FALSE(count_events(parser, "a", count));
    CHECK(parser.failed());
    CHECK_FALSE(count_events(parser, "\n\n", count));
    CHECK(count == 0);
  }
  SUBCASE("a long line after the start of a chunk ends the parse") {
    SseParser parser(k_max);
    int count = 0;
    CHECK_FALSE(count_events(parser, "data: a\n\n" + std::string(100, 'x') + "\n\n", count));
    CHECK(parser.failed());
  }
  SUBCASE("the data of one event is bounded like a line") {
    // Data lines without a blank line would otherwise grow without end.
    SseParser fits(k_max);
    int count = 0;
    CHECK(count_events(fits, "data: 0123456\ndata: 89abcdef\n\n", count)); // 16 joined
    CHECK(count == 1);
    SseParser over(k_max);
    CHECK_FALSE(count_events(over, "data: 0123456\ndata: 89abcdefg\n\n", count)); // 17
    CHECK(over.failed());
    CHECK(count == 1);
    SseParser many(k_max);
    std::string endless;
    for (int i = 0; i < 100; ++i) {
      endless += "data: 0123\n";
    }
    CHECK_FALSE(count_events(many, endless, count));
    CHECK(many.failed());
  }
  SUBCASE("many short events, comments and other fields are never too long together") {
    SseParser parser(k_max);
    int count = 0;
    std::string stream;
    for (int i = 0; i < 1000; ++i) {
      stream += ": keep-alive\nevent: ping\n\ndata: 0123456789\n\n";
    }
    CHECK(count_events(parser, stream, count));
    CHECK(count == 1000);
    CHECK_FALSE(parser.failed());
  }
}
