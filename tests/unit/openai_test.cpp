#include "pool/outcome.hpp"
#include "upstream/openai.hpp"

#include "reading_support.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

using nlohmann::json;
using upstream::EventKind;
using upstream::PromptRequest;

namespace {
const upstream::OpenAiProvider k_openai;
constexpr std::string_view k_official = "https://api.openai.com/v1";
constexpr std::string_view k_local = "http://127.0.0.1:11434/v1";

PromptRequest prompt(std::string text) {
  PromptRequest request;
  request.model = "gpt-4o-mini";
  request.prompt = std::move(text);
  return request;
}
} // namespace

TEST_CASE("openai profile: base URL, key variable, key file, model, request id") {
  const auto& profile = k_openai.profile();
  CHECK(profile.name == "openai");
  CHECK(profile.default_base_url == "https://api.openai.com/v1");
  CHECK(profile.base_url_env == "OPENAI_BASE_URL");
  CHECK(profile.key_env == "OPENAI_API_KEY");
  CHECK(profile.key_file_name == "openai.keys");
  CHECK(profile.default_model == "gpt-4o-mini");
  CHECK(profile.request_id_header == "x-request-id");
}

TEST_CASE("openai build_body: model and one user message, no token limit by default") {
  auto body = json::parse(k_openai.build_body(prompt("Say hi"), k_official));
  CHECK(body ==
        json{{"model", "gpt-4o-mini"}, {"messages", {{{"role", "user"}, {"content", "Say hi"}}}}});
}

TEST_CASE("openai build_body: system first, then user; temperature, stop, stream when given") {
  auto request = prompt("q");
  request.system = "be brief";
  request.temperature = 0.0;
  request.stop = {"END", "\n\n"};
  request.stream = true;
  auto body = json::parse(k_openai.build_body(request, k_local));
  REQUIRE(body["messages"].size() == 2);
  CHECK(body["messages"][0] == json{{"role", "system"}, {"content", "be brief"}});
  CHECK(body["messages"][1] == json{{"role", "user"}, {"content", "q"}});
  CHECK(body["temperature"].get<double>() == 0.0);
  CHECK(body["stop"] == json::array({"END", "\n\n"}));
  CHECK(body["stream"] == true);
  CHECK_FALSE(body.contains("max_tokens"));
  CHECK_FALSE(body.contains("max_completion_tokens"));
}

TEST_CASE("openai build_body: --max-tokens is max_completion_tokens on OpenAI's host only") {
  auto request = prompt("q");
  request.max_tokens = 77;
  for (std::string_view base : {"https://api.openai.com/v1", "https://API.OpenAI.com/v1/",
                                "https://api.openai.com:443/v1", "https://api.openai.com."}) {
    CAPTURE(std::string(base));
    auto body = json::parse(k_openai.build_body(request, base));
    CHECK(body["max_completion_tokens"] == 77);
    CHECK_FALSE(body.contains("max_tokens"));
  }
  for (std::string_view base :
       {"http://127.0.0.1:8000/v1", "https://openrouter.ai/api/v1",
        "https://api.openai.com.evil.example/v1", "https://my-api.openai.company/v1",
        "http://localhost/api.openai.com/v1"}) {
    CAPTURE(std::string(base));
    auto body = json::parse(k_openai.build_body(request, base));
    CHECK(body["max_tokens"] == 77);
    CHECK_FALSE(body.contains("max_completion_tokens"));
  }
}

TEST_CASE("openai request and probe: path under the base, bearer token") {
  auto request =
      k_openai.request("https://api.openai.com/v1", "sk-proj-secret", "{\"a\":1}", false);
  CHECK(request.method == "POST");
  CHECK(request.url == "https://api.openai.com/v1/chat/completions");
  CHECK(request.body == "{\"a\":1}");
  CHECK(request.headers == std::vector<std::string>{"authorization: Bearer sk-proj-secret",
                                                    "content-type: application/json",
                                                    "accept: application/json"});
  auto probe = k_openai.probe("http://127.0.0.1:1/v1", "sk-proj-secret", "m");
  CHECK(probe.method == "GET");
  CHECK(probe.url == "http://127.0.0.1:1/v1/models");
  CHECK(probe.headers.front() == "authorization: Bearer sk-proj-secret");
  CHECK(probe.body.empty());
}

TEST_CASE("openai answer_text: choices[0].message.content") {
  auto text = k_openai.answer_text(R"({"id":"chatcmpl-1","object":"chat.completion","choices":[
      {"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"},
      {"index":1,"message":{"role":"assistant","content":"not me"}}]})");
  REQUIRE(text.has_value());
  CHECK(*text == "Hello!");
  CHECK(k_openai.answer_text(R"({"choices":[{"message":{"content":null,"refusal":"no"}}]})") == "");
  CHECK(k_openai.answer_text(R"({"choices":[]})") == "");
  for (std::string body : {"", "nope", "[]", R"({"choices":{}})", R"({"object":"chat.completion"})",
                           R"({"choices":[{"text":"legacy"}]})",
                           R"({"choices":[{"message":{"content":5}}]})", R"({"choices":[7]})"}) {
    CAPTURE(body);
    CHECK_FALSE(k_openai.answer_text(body).has_value());
  }
}

TEST_CASE("openai decode_event: deltas until [DONE]; errors; what is ignored") {
  std::string text;
  upstream::UpstreamError error;
  auto event = [](std::string data) { return upstream::SseEvent{"message", std::move(data)}; };
  CHECK(k_openai.decode_event(
            event(R"({"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]})"), true,
            text, error) == EventKind::text);
  CHECK(k_openai.decode_event(event(R"({"choices":[{"index":0,"delta":{"content":"Hel"}}]})"), true,
                              text, error) == EventKind::text);
  CHECK(k_openai.decode_event(event(R"({"choices":[{"index":0,"delta":{"content":"lo \u00e9"}}]})"),
                              true, text, error) == EventKind::text);
  CHECK(text == "Hello \xC3\xA9");
  CHECK(
      k_openai.decode_event(event(R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"),
                            true, text, error) == EventKind::ignored);
  CHECK(k_openai.decode_event(event(R"({"choices":[],"usage":{"total_tokens":3}})"), true, text,
                              error) == EventKind::ignored);
  CHECK(k_openai.decode_event(event("[DONE]"), true, text, error) == EventKind::done);
  CHECK(k_openai.decode_event(event("[DONE]"), false, text, error) == EventKind::done);
  CHECK(text == "Hello \xC3\xA9");

  CHECK(k_openai.decode_event(event("{not json"), true, text, error) == EventKind::malformed);
  CHECK(k_openai.decode_event(event(R"({"choices":[{"delta":{"content":7}}]})"), true, text,
                              error) == EventKind::malformed);
  // Relaying: text is not decoded, so not judged either.
  CHECK(k_openai.decode_event(event("{not json"), false, text, error) == EventKind::ignored);
  CHECK(k_openai.decode_event(event(R"({"choices":[{"delta":{"content":"x"}}]})"), false, text,
                              error) == EventKind::ignored);
  CHECK(text == "Hello \xC3\xA9");

  for (bool want_text : {true, false}) {
    error = {};
    CHECK(
        k_openai.decode_event(
            event(
                R"({"error":{"message":"The server had an error","type":"server_error","code":null}})"),
            want_text, text, error) == EventKind::error);
    CHECK(error.type == "server_error");
    CHECK(error.message == "The server had an error");
  }
}

TEST_CASE("openai read, the error: the error object, with or without a type") {
  auto error = parse_error(
      k_openai,
      R"({"error":{"message":"Rate limit reached for gpt-4o-mini","type":"requests","param":null,"code":"rate_limit_exceeded"}})");
  REQUIRE(error.has_value());
  CHECK(error->type == "requests");
  CHECK(error->message == "Rate limit reached for gpt-4o-mini");
  auto typeless = parse_error(
      k_openai,
      R"({"error":{"message":"Incorrect API key","type":null,"code":"invalid_api_key"}})");
  REQUIRE(typeless.has_value());
  CHECK(typeless->type == "invalid_api_key");
  auto flat = parse_error(
      k_openai, R"({"object":"error","message":"bad model","type":"NotFoundError","code":404})");
  REQUIRE(flat.has_value());
  CHECK(flat->type == "NotFoundError");
  auto text = parse_error(k_openai, R"({"error":"model not found"})");
  REQUIRE(text.has_value());
  CHECK(text->message == "model not found");
  for (std::string body :
       {"", "<html>502</html>", "[]", R"({"message":"x"})", R"({"error":{"message":)"}) {
    CAPTURE(body);
    CHECK_FALSE(parse_error(k_openai, body).has_value());
  }
}

TEST_CASE("openai read:  quota and spend codes on a 429 are a spend limit") {
  util::TimePoint now = *util::parse_rfc3339("2026-11-29T10:00:00Z");
  upstream::Headers none;
  auto quota = read_answer(
      k_openai, 429, none,
      R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}})",
      now);
  CHECK(quota.limit == limits::Limit::spend);
  CHECK(quota.error_type == "insufficient_quota");
  CHECK(quota.error_code == "insufficient_quota");
  auto type_only = read_answer(k_openai, 429, none,
                               R"({"error":{"message":"m","type":"insufficient_quota"}})", now);
  CHECK(type_only.limit == limits::Limit::spend);
  for (std::string code : {"credit_balance_exhausted", "organization_spend_limit_exceeded",
                           "project_spend_limit_exceeded", "organization_usage_limit_exceeded"}) {
    CAPTURE(code);
    auto hints =
        read_answer(k_openai, 429, none,
                    R"({"error":{"message":"m","type":"requests","code":")" + code + R"("}})", now);
    CHECK(hints.limit == limits::Limit::spend);
    CHECK(hints.error_code == code);
  }
  auto rate = read_answer(
      k_openai, 429, none,
      R"({"error":{"message":"m","type":"requests","code":"rate_limit_exceeded"}})", now);
  CHECK(rate.limit == limits::Limit::rate);
  CHECK(rate.error_type == "requests");
  // The same code on another status is not a spend limit (it is reported).
  auto not_429 = read_answer(k_openai, 400, none,
                             R"({"error":{"message":"m","type":"insufficient_quota"}})", now);
  CHECK(not_429.limit == limits::Limit::rate);
  // A host that sells credits answers 402 when the key's account has none.
  auto credits = read_answer(k_openai, 402, none,
                             R"({"error":{"message":"Insufficient credits","code":402}})", now);
  CHECK(credits.limit == limits::Limit::billing);
  auto html = read_answer(k_openai, 502, none, "<html>bad gateway</html>", now);
  CHECK(html.error_type == "api_error");
  CHECK(read_answer(k_openai, 401, none, "", now).error_type == "authentication_error");
}

TEST_CASE(
    "openai read, retry_after: retry-after-ms, Retry-After, then the later reset (429 only)") {
  util::TimePoint now = *util::parse_rfc3339("2026-11-29T10:00:00Z");
  upstream::Headers headers;
  headers.add("x-ratelimit-reset-requests", "1s");
  headers.add("x-ratelimit-reset-tokens", "6m0s");
  CHECK(read_answer(k_openai, 429, headers, "", now).retry_after == util::Millis{360'000});
  CHECK(read_answer(k_openai, 500, headers, "", now).retry_after ==
        util::Millis{0}); // retries use §5 alone
  headers.add("retry-after", "3");
  CHECK(read_answer(k_openai, 429, headers, "", now).retry_after == util::Millis{3000});
  headers.add("retry-after-ms", "250");
  CHECK(read_answer(k_openai, 429, headers, "", now).retry_after == util::Millis{250});

  upstream::Headers small;
  small.add("x-ratelimit-reset-requests", "20ms");
  small.add("x-ratelimit-reset-tokens", "garbage");
  CHECK(read_answer(k_openai, 429, small, "", now).retry_after == util::Millis{20});
  upstream::Headers nothing;
  nothing.add("x-ratelimit-reset-tokens", "soon");
  CHECK(read_answer(k_openai, 429, nothing, "", now).retry_after ==
        util::Millis{0}); // the walk's 60 s default then
}

TEST_CASE("openai read, rate limits: remaining, limit and reset of requests and tokens") {
  util::TimePoint now = *util::parse_rfc3339("2026-11-29T10:00:00Z");
  upstream::Headers headers;
  headers.add("x-ratelimit-limit-requests", "500");
  headers.add("x-ratelimit-remaining-requests", "0");
  headers.add("x-ratelimit-reset-requests", "1.5s");
  headers.add("x-ratelimit-limit-tokens", "30000");
  headers.add("x-ratelimit-remaining-tokens", "29000");
  headers.add("x-ratelimit-reset-tokens", "2ms");
  auto readings = read_answer(k_openai, 200, headers, "", now).limits;
  REQUIRE(readings.size() == 2);
  CHECK(readings[0] == limits::LimitReading{"requests", 0, 500, now + util::Millis{1500}});
  CHECK(readings[1] == limits::LimitReading{"tokens", 29000, 30000, now + util::Millis{2}});
  // The walk's proactive rule reads them as it reads Anthropic's.
  auto rest = pool::proactive_cooldown(readings, now);
  REQUIRE(rest.has_value());
  CHECK(rest->delay == util::Millis{3}); // the first of 500 requests is back after 1.5 s / 500
  CHECK(rest->reason == "requests_remaining_0");
  CHECK(read_answer(k_openai, 200, upstream::Headers{}, "", now).limits.empty());
  // A reset alone, with no count, is no reading; a bad duration is no reset.
  upstream::Headers partial;
  partial.add("x-ratelimit-reset-requests", "1s");
  partial.add("x-ratelimit-remaining-tokens", "0");
  partial.add("x-ratelimit-reset-tokens", "soon");
  readings = read_answer(k_openai, 200, partial, "", now).limits;
  REQUIRE(readings.size() == 1);
  CHECK(readings[0] == limits::LimitReading{"tokens", 0, -1, std::nullopt});
  CHECK_FALSE(pool::proactive_cooldown(readings, now));
}
