#include "upstream/messages.hpp"

#include "test_support.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

using nlohmann::json;
using upstream::MessageRequest;

TEST_CASE("build_request_body: model, max_tokens and one user message") {
  MessageRequest request;
  request.model = "claude-sonnet-4-5";
  request.prompt = "Say \"hi\"\nand stop.";
  request.max_tokens = 4096;
  auto text = upstream::build_request_body(request);
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

TEST_CASE("build_request_body: optional fields only when given") {
  MessageRequest request;
  request.model = "claude-opus-4-1";
  request.prompt = "p";
  request.max_tokens = 100;
  SUBCASE("system") {
    request.system = "be brief";
    auto body = json::parse(upstream::build_request_body(request));
    CHECK(body["system"] == "be brief");
    CHECK(body.size() == 4);
  }
  SUBCASE("an empty system prompt is still given") {
    request.system = "";
    auto body = json::parse(upstream::build_request_body(request));
    CHECK(body.contains("system"));
  }
  SUBCASE("temperature, including 0") {
    request.temperature = 0.0;
    auto body = json::parse(upstream::build_request_body(request));
    REQUIRE(body.contains("temperature"));
    CHECK(body["temperature"].get<double>() == 0.0);
    request.temperature = 0.7;
    body = json::parse(upstream::build_request_body(request));
    CHECK(body["temperature"].get<double>() == doctest::Approx(0.7));
  }
  SUBCASE("stop sequences, in order") {
    request.stop_sequences = {"\n\nHuman:", "END"};
    auto body = json::parse(upstream::build_request_body(request));
    CHECK(body["stop_sequences"] == json::array({"\n\nHuman:", "END"}));
  }
  SUBCASE("stream") {
    request.stream = true;
    auto body = json::parse(upstream::build_request_body(request));
    CHECK(body["stream"] == true);
  }
  SUBCASE("everything") {
    request.system = "s";
    request.temperature = 1.0;
    request.stop_sequences = {"x"};
    request.stream = true;
    auto body = json::parse(upstream::build_request_body(request));
    CHECK(body.size() == 7);
    CHECK(body["max_tokens"] == 100);
  }
}

TEST_CASE("build_request_body: a prompt that is not valid UTF-8 is repaired, not thrown") {
  MessageRequest request;
  request.model = "m";
  request.prompt = "caf\xC3\xA9 and \xFF\xFE bad bytes";
  std::string text;
  CHECK_NOTHROW(text = upstream::build_request_body(request));
  json body;
  CHECK_NOTHROW(body = json::parse(text));
  auto content = body["messages"][0]["content"].get<std::string>();
  CHECK(content.find("caf\xC3\xA9 and ") == 0);
  CHECK(content.find("\xEF\xBF\xBD") != std::string::npos); // U+FFFD
  CHECK(content.find("bad bytes") != std::string::npos);
}

TEST_CASE("adapt_request_body sets stream to match the subcommand and keeps the rest") {
  std::string given = R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],)"
                      R"("metadata":{"user_id":"u1"},"stream":false,"z_last":[1,{"a":null}]})";
  auto streamed = json::parse(upstream::adapt_request_body(given, true, "req.json"));
  CHECK(streamed["stream"] == true);
  auto blocking = json::parse(upstream::adapt_request_body(
      R"({"model":"m","stream":true,"max_tokens":5,"messages":[]})", false, "req.json"));
  CHECK(blocking["stream"] == false);

  auto original = json::parse(given);
  streamed.erase("stream");
  original.erase("stream");
  CHECK(streamed == original);

  // Absent stream with a blocking subcommand: absent or false, never true.
  auto plain = json::parse(upstream::adapt_request_body(R"({"model":"m"})", false, "-"));
  CHECK_FALSE(plain.value("stream", false));
  CHECK(plain["model"] == "m");
  auto added = json::parse(upstream::adapt_request_body(R"({"model":"m"})", true, "-"));
  CHECK(added["stream"] == true);
}

TEST_CASE("adapt_request_body keeps the order of the given fields") {
  auto text = upstream::adapt_request_body(R"({"zeta":1,"alpha":2,"mid":3})", true, "-");
  CHECK(text.find("\"zeta\"") < text.find("\"alpha\""));
  CHECK(text.find("\"alpha\"") < text.find("\"mid\""));
}

TEST_CASE("adapt_request_body refuses what is not a JSON object (exit 2)") {
  for (std::string text :
       {"", "not json", "[1, 2]", "\"a string\"", "42", "null", "true", "{\"model\": ", "{} {}"}) {
    CAPTURE(text);
    std::string message;
    CHECK_BRIDGE_ERROR(upstream::adapt_request_body(text, false, "my-request.json"),
                       util::ExitCode::usage, message);
    CHECK(message.find("my-request.json") != std::string::npos);
  }
}

TEST_CASE("response_text joins the text blocks in order and ignores the others") {
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
  auto text = upstream::response_text(body);
  REQUIRE(text.has_value());
  CHECK(*text == "Hello, world!");
}

TEST_CASE("response_text: an empty content list is an empty text; other shapes are none") {
  auto empty = upstream::response_text(R"({"type":"message","content":[]})");
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
  for (std::string body : {"", "not json", "[]", R"({"type":"message"})", R"({"content":"text"})",
                           R"({"content":{"type":"text"}})"}) {
    CAPTURE(body);
    CHECK_FALSE(upstream::response_text(body).has_value());
  }
}

TEST_CASE("parse_error_body reads the upstream error shape") {
  auto error = upstream::parse_error_body(
      R"({"type":"error","error":{"type":"rate_limit_error","message":"Slow down"}})");
  REQUIRE(error.has_value());
  CHECK(error->type == "rate_limit_error");
  CHECK(error->message == "Slow down");

  auto no_message = upstream::parse_error_body(R"({"type":"error","error":{"type":"api_error"}})");
  REQUIRE(no_message.has_value());
  CHECK(no_message->type == "api_error");
  CHECK(no_message->message.empty());

  for (std::string body : {"", "<html><body>502 Bad Gateway</body></html>",
                           R"({"type":"error","error":{"type":"overl)", R"({"type":"error"})",
                           R"({"error":"a string"})", R"({"error":{"message":"no type"}})",
                           R"({"error":{"type":7}})", "[]"}) {
    CAPTURE(body);
    CHECK_FALSE(upstream::parse_error_body(body).has_value());
  }
}

TEST_CASE("error_json: one line of the upstream shape, retry_after only when given") {
  auto text = upstream::error_json({"rate_limit_error", "all 3 configured keys are rate-limited"});
  CHECK(text.find('\n') == std::string::npos);
  auto j = json::parse(text);
  CHECK(j == json{{"type", "error"},
                  {"error",
                   {{"type", "rate_limit_error"},
                    {"message", "all 3 configured keys are rate-limited"}}}});
  CHECK_FALSE(j.contains("retry_after"));
  CHECK(text.rfind("{\"type\":\"error\"", 0) == 0); // the outer type comes first

  auto with_delay_text = upstream::error_json({"rate_limit_error", "wait"}, 3);
  CHECK(with_delay_text.find("\"retry_after\":3}") != std::string::npos); // a whole number, not 3.0
  auto with_delay = json::parse(with_delay_text);
  CHECK(with_delay["retry_after"].is_number_integer());
  CHECK(with_delay["retry_after"] == 3);
  CHECK(with_delay["error"]["type"] == "rate_limit_error");
  auto zero = json::parse(upstream::error_json({"api_error", "x"}, 0));
  CHECK(zero.contains("retry_after"));
}

TEST_CASE("error_json repairs invalid UTF-8 instead of throwing") {
  std::string text;
  CHECK_NOTHROW(text = upstream::error_json({"api_error\xFF", "bad \xC3\x28 bytes \xFE"}));
  json j;
  CHECK_NOTHROW(j = json::parse(text));
  auto message = j["error"]["message"].get<std::string>();
  CHECK(message.find("bad ") == 0);
  CHECK(message.find("\xEF\xBF\xBD") != std::string::npos);
  CHECK(message.find(" bytes ") != std::string::npos);
}

TEST_CASE("error_type_for_status names the API's error types") {
  struct Row {
    long status;
    const char* type;
  };
  for (auto row :
       {Row{400, "invalid_request_error"}, Row{401, "authentication_error"},
        Row{402, "billing_error"}, Row{403, "permission_error"}, Row{404, "not_found_error"},
        Row{408, "timeout_error"}, Row{413, "request_too_large"}, Row{429, "rate_limit_error"},
        Row{500, "api_error"}, Row{529, "overloaded_error"}, Row{503, "api_error"},
        Row{418, "api_error"}}) {
    CAPTURE(row.status);
    CHECK(upstream::error_type_for_status(row.status) == row.type);
  }
}
