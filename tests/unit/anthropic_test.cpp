#include "upstream/anthropic.hpp"

#include "pool/bucket.hpp"
#include "util/time_format.hpp"

#include "reading_support.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

using nlohmann::json;
using upstream::PromptRequest;

namespace {
const upstream::AnthropicProvider k_anthropic;
constexpr std::string_view k_base = "https://api.anthropic.com";
} // namespace

TEST_CASE("anthropic build_body: model, max_tokens and one user message") {
  PromptRequest request;
  request.model = "claude-sonnet-4-5";
  request.prompt = "Say \"hi\"\nand stop.";
  request.max_tokens = 4096;
  auto text = k_anthropic.build_body(request, k_base);
  CHECK(text.find('\n') == std::string::npos); // one line
  auto body = json::parse(text);
  CHECK(body["model"] == "claude-sonnet-4-5");
  CHECK(body["max_tokens"] == 4096);
  CHECK(body["max_tokens"].is_number_integer());
  REQUIRE(body["messages"].is_array());
  REQUIRE(body["messages"].size() == 1);
  CHECK(body["messages"][0]["role"] == "user");
  CHECK(body["messages"][0]["content"] == "Say \"hi\"\nand stop.");
  for (auto absent : {"system", "temperature", "stop_sequences", "stream"}) {
    CAPTURE(std::string(absent));
    CHECK_FALSE(body.contains(absent));
  }
  CHECK(body.size() == 3);
}

TEST_CASE("anthropic build_body: optional fields only when given") {
  PromptRequest request;
  request.model = "claude-opus-4-1";
  request.prompt = "p";
  request.max_tokens = 100;
  SUBCASE("system") {
    request.system = "be brief";
    auto body = json::parse(k_anthropic.build_body(request, k_base));
    CHECK(body["system"] == "be brief");
    CHECK(body.size() == 4);
  }
  SUBCASE("an empty system prompt is still given") {
    request.system = "";
    auto body = json::parse(k_anthropic.build_body(request, k_base));
    CHECK(body.contains("system"));
  }
  SUBCASE("temperature, including 0") {
    request.temperature = 0.0;
    auto body = json::parse(k_anthropic.build_body(request, k_base));
    REQUIRE(body.contains("temperature"));
    CHECK(body["temperature"].get<double>() == 0.0);
    request.temperature = 0.7;
    body = json::parse(k_anthropic.build_body(request, k_base));
    CHECK(body["temperature"].get<double>() == doctest::Approx(0.7));
  }
  SUBCASE("stop sequences, in order") {
    request.stop = {"\n\nHuman:", "END"};
    auto body = json::parse(k_anthropic.build_body(request, k_base));
    CHECK(body["stop_sequences"] == json::array({"\n\nHuman:", "END"}));
  }
  SUBCASE("stream") {
    request.stream = true;
    auto body = json::parse(k_anthropic.build_body(request, k_base));
    CHECK(body["stream"] == true);
  }
  SUBCASE("everything") {
    request.system = "s";
    request.temperature = 1.0;
    request.stop = {"x"};
    request.stream = true;
    auto body = json::parse(k_anthropic.build_body(request, k_base));
    CHECK(body.size() == 7);
    CHECK(body["max_tokens"] == 100);
  }
}

TEST_CASE("anthropic build_body: a prompt that is not valid UTF-8 is repaired, not thrown") {
  PromptRequest request;
  request.model = "m";
  request.prompt = "caf\xC3\xA9 and \xFF\xFE bad bytes";
  std::string text;
  CHECK_NOTHROW(text = k_anthropic.build_body(request, k_base));
  json body;
  CHECK_NOTHROW(body = json::parse(text));
  auto content = body["messages"][0]["content"].get<std::string>();
  CHECK(content.find("caf\xC3\xA9 and ") == 0);
  CHECK(content.find("\xEF\xBF\xBD") != std::string::npos); // U+FFFD
  CHECK(content.find("bad bytes") != std::string::npos);
}

TEST_CASE("anthropic answer_text joins the text blocks in order and ignores the others") {
  std::string body = R"({"id":"msg_1","type":"message","role":"assistant","content":[
      {"type":"thinking","thinking":"hmm"},
      {"type":"text","text":"Hello"},
      {"type":"tool_use","id":"t","name":"f","input":{"text":"not me"}},
      {"type":"redacted_text","text":"nor me"},
      {"type":"text","text":", world"},
      {"type":"text"},
      {"type":"text","text":42},
      "not a block",
      {"type":"text","text":"!"}],"stop_reason":"end_turn"})";
  auto text = k_anthropic.answer_text(body);
  REQUIRE(text.has_value());
  CHECK(*text == "Hello, world!");
}

TEST_CASE("anthropic answer_text: an empty content list is an empty text; other shapes are none") {
  auto empty = k_anthropic.answer_text(R"({"type":"message","content":[]})");
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
  for (std::string body : {"", "not json", "[]", R"({"type":"message"})", R"({"content":"text"})",
                           R"({"content":{"type":"text"}})"}) {
    CAPTURE(body);
    CHECK_FALSE(k_anthropic.answer_text(body).has_value());
  }
}

TEST_CASE("anthropic read, the error reads the upstream error shape") {
  auto error = parse_error(
      k_anthropic, R"({"type":"error","error":{"type":"rate_limit_error","message":"Slow down"}})");
  REQUIRE(error.has_value());
  CHECK(error->type == "rate_limit_error");
  CHECK(error->message == "Slow down");

  auto no_message = parse_error(k_anthropic, R"({"type":"error","error":{"type":"api_error"}})");
  REQUIRE(no_message.has_value());
  CHECK(no_message->type == "api_error");
  CHECK(no_message->message.empty());

  for (std::string body : {"", "<html><body>502 Bad Gateway</body></html>",
                           R"({"type":"error","error":{"type":"overl)", R"({"type":"error"})",
                           R"({"error":"a string"})", R"({"error":{"message":"no type"}})",
                           R"({"error":{"type":7}})", "[]"}) {
    CAPTURE(body);
    CHECK_FALSE(parse_error(k_anthropic, body).has_value());
  }
}

TEST_CASE("anthropic build_body: 4096 tokens when none is given") {
  PromptRequest request;
  request.model = "m";
  request.prompt = "p";
  auto body = json::parse(k_anthropic.build_body(request, k_base));
  CHECK(body["max_tokens"] == 4096);
}

TEST_CASE("anthropic request and probe: path and headers") {
  auto request = k_anthropic.request("http://127.0.0.1:9", "sk-ant-secret", "{}", true);
  CHECK(request.method == "POST");
  CHECK(request.url == "http://127.0.0.1:9/v1/messages");
  CHECK(request.body == "{}");
  CHECK(request.headers ==
        std::vector<std::string>{"x-api-key: sk-ant-secret", "anthropic-version: 2023-06-01",
                                 "content-type: application/json", "accept: text/event-stream"});
  // A base URL that ends in /v1 names the same server.
  CHECK(k_anthropic.request("http://127.0.0.1:9/v1", "k", "{}", false).url ==
        "http://127.0.0.1:9/v1/messages");
  CHECK(k_anthropic.probe("https://proxy.example/anthropic/v1", "k", "m").url ==
        "https://proxy.example/anthropic/v1/models?limit=1");
  auto probe = k_anthropic.probe("https://api.anthropic.com", "sk-ant-secret", "m");
  CHECK(probe.method == "GET");
  CHECK(probe.url == "https://api.anthropic.com/v1/models?limit=1");
  CHECK(probe.headers.front() == "x-api-key: sk-ant-secret");
  CHECK(k_anthropic.profile().key_env == "ANTHROPIC_API_KEY");
  CHECK(k_anthropic.profile().key_file_name == "keys");
}

TEST_CASE("anthropic decode_event: text, the end, errors, and what is ignored") {
  std::string text;
  upstream::UpstreamError error;
  upstream::SseEvent delta{
      "content_block_delta",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}})"};
  CHECK(k_anthropic.decode_event(delta, true, text, error) == upstream::EventKind::text);
  CHECK(k_anthropic.decode_event(delta, true, text, error) == upstream::EventKind::text);
  CHECK(text == "HiHi");
  CHECK(k_anthropic.decode_event(delta, false, text, error) == upstream::EventKind::ignored);
  CHECK(text == "HiHi");
  CHECK(k_anthropic.decode_event({"content_block_delta", "{nope"}, true, text, error) ==
        upstream::EventKind::malformed);
  CHECK(k_anthropic.decode_event({"message_stop", R"({"type":"message_stop"})"}, false, text,
                                 error) == upstream::EventKind::done);
  CHECK(k_anthropic.decode_event({"ping", "{}"}, true, text, error) ==
        upstream::EventKind::ignored);
  CHECK(k_anthropic.decode_event(
            {"error", R"({"type":"error","error":{"type":"overloaded_error","message":"busy"}})"},
            true, text, error) == upstream::EventKind::error);
  CHECK(error.type == "overloaded_error");
  CHECK(error.message == "busy");
  CHECK(k_anthropic.decode_event({"error", "garbage"}, true, text, error) ==
        upstream::EventKind::error);
  CHECK(error.type == "api_error");
}

TEST_CASE("anthropic read, rate limits: counts and resets measured against Date") {
  upstream::Headers headers;
  headers.add("Date", "Sun, 29 Nov 2026 10:00:00 GMT");
  headers.add("anthropic-ratelimit-requests-remaining", "0");
  headers.add("anthropic-ratelimit-requests-limit", "50");
  headers.add("anthropic-ratelimit-requests-reset", "2026-11-29T10:00:07Z");
  headers.add("anthropic-ratelimit-tokens-remaining", "1200");
  // Our clock is 100 s ahead of the server's: the reset is 7 s after the
  // start of the Date's second, 6 s after its end, the latest moment the
  // answer can have left (the header has no finer resolution): 6 s from now.
  util::TimePoint now = *util::parse_rfc3339("2026-11-29T10:01:40Z");
  auto readings = read_answer(k_anthropic, 200, headers, "", now).limits;
  REQUIRE(readings.size() == 2);
  CHECK(readings[0].kind == "requests");
  CHECK(readings[0].remaining == 0);
  CHECK(readings[0].limit == 50);
  REQUIRE(readings[0].reset.has_value());
  CHECK(*readings[0].reset - now == util::Millis{6000});
  CHECK(readings[1].kind == "tokens");
  CHECK(readings[1].remaining == 1200);
  CHECK_FALSE(readings[1].reset.has_value());
}

TEST_CASE("anthropic read, rate limits: a whole-second Date does not stretch the reset") {
  // Sent at 10:00:00.900 by a server whose Date drops the fraction; our
  // clock agrees with it. The bucket is full 1 s after the answer was sent.
  upstream::Headers headers;
  headers.add("Date", "Sun, 29 Nov 2026 10:00:00 GMT");
  headers.add("anthropic-ratelimit-requests-remaining", "4");
  headers.add("anthropic-ratelimit-requests-limit", "5");
  headers.add("anthropic-ratelimit-requests-reset", "2026-11-29T10:00:01.900Z");
  util::TimePoint now = *util::parse_rfc3339("2026-11-29T10:00:00.900Z");
  auto readings = read_answer(k_anthropic, 200, headers, "", now).limits;
  REQUIRE(readings.size() == 1);
  REQUIRE(readings[0].reset.has_value());
  CHECK(*readings[0].reset - now == util::Millis{1000});
  // No Date: our clock; a clock behind the Date's second: its start; one
  // past it (ahead, or the answer slow on its way): its end.
  CHECK(upstream::response_origin(upstream::Headers{}, now) == now);
  util::TimePoint behind = *util::parse_rfc3339("2026-11-29T09:59:59.990Z");
  CHECK(upstream::response_origin(headers, behind) == *util::parse_rfc3339("2026-11-29T10:00:00Z"));
  util::TimePoint late = *util::parse_rfc3339("2026-11-29T10:00:01.400Z");
  CHECK(upstream::response_origin(headers, late) == *util::parse_rfc3339("2026-11-29T10:00:01Z"));
}

TEST_CASE("anthropic read, rate limits: the refill rate learned through whole-second Dates") {
  // A server bucket of 5 requests refilling at 1 a second answers at
  // moments spread over its seconds; each answer says 4 left, full 1 s after
  // it was sent, with the Date truncated to the second. The bucket estimate
  // keeps the lowest bound it sees, so a single stretched span would halve
  // the rate for good (bridge served 65 % of the capacity that way).
  pool::BucketMap buckets;
  for (int tenth : {1, 3, 5, 7, 9}) {
    auto sent = *util::parse_rfc3339("2026-11-29T10:00:0" + std::to_string(tenth) + "." +
                                     std::to_string(tenth * 111) + "Z");
    upstream::Headers headers;
    headers.add("Date", "Sun, 29 Nov 2026 10:00:0" + std::to_string(tenth) + " GMT");
    headers.add("anthropic-ratelimit-requests-remaining", "4");
    headers.add("anthropic-ratelimit-requests-limit", "5");
    headers.add("anthropic-ratelimit-requests-reset",
                util::format_rfc3339(sent + util::Millis{1000}));
    pool::ModelLimits limits;
    limits.seen = sent + util::Millis{20}; // 20 ms on the way back
    limits.readings = read_answer(k_anthropic, 200, headers, "", limits.seen).limits;
    pool::observe_requests(buckets, "sha256:aa", "m", limits);
  }
  REQUIRE(buckets.size() == 1);
  // The true rate is 1 per 1000 ms; the estimate is an upper bound (the
  // answer's way back shortens the span), never a stretched lower one.
  CHECK(buckets.begin()->second.per_ms >= 1.0 / 1000.0);
  CHECK(buckets.begin()->second.per_ms <= 1.0 / 900.0);
}

TEST_CASE("anthropic read, rate limits: every kind with underscores; bad values are not read; a "
          "past reset is now") {
  util::TimePoint now = *util::parse_rfc3339("2026-11-26T03:00:00Z");
  upstream::Headers headers;
  headers.add("Anthropic-RateLimit-Input-Tokens-Limit", " 40000 ");
  headers.add("anthropic-ratelimit-input-tokens-remaining", "39500");
  headers.add("anthropic-ratelimit-input-tokens-reset", "2026-11-26T03:00:00.500Z");
  headers.add("anthropic-ratelimit-output-tokens-remaining", "0");
  headers.add("anthropic-ratelimit-output-tokens-reset", "in a while");
  headers.add("anthropic-ratelimit-requests-remaining", "-1");
  headers.add("anthropic-ratelimit-requests-limit", "many");
  headers.add("anthropic-ratelimit-tokens-remaining", "0");
  headers.add("anthropic-ratelimit-tokens-reset", "2026-11-26T02:00:00Z");
  auto readings = read_answer(k_anthropic, 200, headers, "", now).limits;
  REQUIRE(readings.size() == 3);
  CHECK(readings[0] == limits::LimitReading{"tokens", 0, -1, now});
  CHECK(readings[1] ==
        limits::LimitReading{"input_tokens", 39'500, 40'000, now + util::Millis{500}});
  CHECK(readings[2] == limits::LimitReading{"output_tokens", 0, -1, std::nullopt});
  CHECK(read_answer(k_anthropic, 200, upstream::Headers{}, "", now).limits.empty());
}

TEST_CASE("anthropic read:  spend and billing limits (402, the 400 usage-limit messages, "
          "enforced_spend_limit_reached)") {
  util::TimePoint now = *util::parse_rfc3339("2026-11-26T03:00:00Z");
  upstream::Headers none;
  auto body = [](const char* type, const char* message, const char* code = nullptr) {
    json error = {{"type", type}, {"message", message}};
    if (code) {
      error["details"] = {{"error_code", code}};
    }
    return json{{"type", "error"}, {"error", error}}.dump();
  };
  auto billing = read_answer(k_anthropic, 402, none,
                             body("billing_error", "Your credit balance is too low"), now);
  CHECK(billing.limit == limits::Limit::billing);
  CHECK(billing.error_type == "billing_error");
  CHECK(read_answer(k_anthropic, 402, none, "<html>", now).limit == limits::Limit::billing);

  auto usage = read_answer(k_anthropic, 400, none,
                           body("invalid_request_error",
                                "You have reached your specified API usage limits. You will "
                                "regain access on 2026-12-01 at 00:00 UTC."),
                           now);
  CHECK(usage.limit == limits::Limit::spend);
  CHECK_FALSE(usage.limit_end); // a 400 goes by the hour
  CHECK(read_answer(k_anthropic, 400, none,
                    body("invalid_request_error", "You have reached your specified workspace API "
                                                  "usage limits."),
                    now)
            .limit == limits::Limit::spend);
  // The words must begin the message: a prompt quoted back is not a limit.
  CHECK(read_answer(k_anthropic, 400, none,
                    body("invalid_request_error", "bad input: You have reached your specified "
                                                  "API usage limits"),
                    now)
            .limit == limits::Limit::rate);
  CHECK(read_answer(k_anthropic, 400, none, body("invalid_request_error", "max_tokens: too large"),
                    now)
            .limit == limits::Limit::rate);

  auto spend =
      read_answer(k_anthropic, 429, none,
                  body("rate_limit_error",
                       "Spend limit reached. You will regain access on 2026-12-01 at 00:00 UTC.",
                       "enforced_spend_limit_reached"),
                  now);
  CHECK(spend.limit == limits::Limit::spend);
  CHECK(spend.error_code == "enforced_spend_limit_reached");
  CHECK(spend.limit_end == util::parse_rfc3339("2026-12-01T00:00:00Z"));
  auto rate = read_answer(k_anthropic, 429, none,
                          body("rate_limit_error", "slow down", "something_else"), now);
  CHECK(rate.limit == limits::Limit::rate);
  CHECK(rate.error_code == "something_else");
  CHECK(read_answer(k_anthropic, 429, none, body("rate_limit_error", "slow down"), now).limit ==
        limits::Limit::rate);
}

TEST_CASE("regain_access_time: the moment a spend-limit message names") {
  auto at = [](const char* text) { return *util::parse_rfc3339(text); };
  CHECK(upstream::regain_access_time("... You will regain access on 2026-09-01 at 00:00 UTC.") ==
        at("2026-09-01T00:00:00Z"));
  CHECK(upstream::regain_access_time("You will regain access on 2026-09-01 at 13:45 UTC") ==
        at("2026-09-01T13:45:00Z"));
  CHECK(upstream::regain_access_time("You will regain access on 2026-09-01 at 13:45:30 UTC.") ==
        at("2026-09-01T13:45:30Z"));
  CHECK(upstream::regain_access_time("You will regain access on 2026-09-01.") ==
        at("2026-09-01T00:00:00Z"));
  CHECK_FALSE(upstream::regain_access_time("You have reached your API usage limits."));
  CHECK_FALSE(upstream::regain_access_time("You will regain access on September 1st"));
  CHECK_FALSE(upstream::regain_access_time("You will regain access on 2026-13-45 at 00:00 UTC."));
  CHECK_FALSE(upstream::regain_access_time("You will regain access on 2026-09-01 at 00:00 PST."));
  CHECK_FALSE(upstream::regain_access_time("You will regain access on 2026-09-01 at noon"));
  CHECK_FALSE(upstream::regain_access_time(""));
}
