#include "upstream/messages.hpp"

#include "test_support.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

using nlohmann::json;

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
