#include "upstream/bedrock.hpp"

#include "util/error.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

using limits::KeyFault;
using upstream::BedrockProvider;

namespace {

bool has_header(const upstream::HttpRequest& request, const std::string& header) {
  return std::find(request.headers.begin(), request.headers.end(), header) != request.headers.end();
}

upstream::AnswerReading read(const BedrockProvider& provider, long status,
                             const std::string& type_header, const std::string& body) {
  upstream::Attempt attempt;
  attempt.status = status;
  if (!type_header.empty()) {
    attempt.headers.add("x-amzn-ErrorType", type_header);
  }
  attempt.error_body = body;
  return provider.read(attempt, util::TimePoint{});
}

} // namespace

TEST_CASE("bedrock: a region is required, and must look like one") {
  CHECK_THROWS_AS(BedrockProvider(""), util::Error);
  CHECK_THROWS_AS(BedrockProvider("us-east-1.evil.example/"), util::Error);
  BedrockProvider provider("eu-west-3");
  CHECK(provider.profile().default_base_url == "https://bedrock-runtime.eu-west-3.amazonaws.com");
  CHECK(provider.profile().key_file_name == "bedrock.keys");
  CHECK(provider.profile().key_env == "AWS_BEARER_TOKEN_BEDROCK");
}

TEST_CASE("bedrock: invoke with the model in the path and the body less model and stream") {
  BedrockProvider provider("us-east-1");
  upstream::PromptRequest prompt;
  prompt.model = "anthropic.claude-3-5-haiku-20241022-v1:0";
  prompt.prompt = "hello";
  prompt.stream = true;
  std::string body = provider.build_body(prompt, "https://x");
  CHECK(upstream::request_model(body) == prompt.model); // the walk's model
  auto request = provider.request("http://127.0.0.1:9", "ABSKbearer", body, /*stream=*/true);
  CHECK(request.method == "POST");
  CHECK(request.url == "http://127.0.0.1:9/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/"
                       "invoke-with-response-stream");
  CHECK(has_header(request, "authorization: Bearer ABSKbearer"));
  CHECK_FALSE(request.signing);
  auto sent = nlohmann::json::parse(request.body);
  CHECK_FALSE(sent.contains("model"));
  CHECK_FALSE(sent.contains("stream"));
  CHECK(sent["anthropic_version"] == "bedrock-2023-05-31");
  CHECK(sent["max_tokens"] == 4096);
  auto blocking = provider.request("http://h", "ABSKbearer", body, /*stream=*/false);
  CHECK(blocking.url == "http://h/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/invoke");
}

TEST_CASE("bedrock: an IAM key is signed by the transport, never put in a header") {
  BedrockProvider provider("us-west-2");
  std::string secret = "AKIAABCDEFGHIJKLMNOP:wJalrXUtnFEMIsecret";
  auto request = provider.request("https://h", secret, R"({"model":"m"})", false);
  REQUIRE(request.signing);
  CHECK(request.signing->provider == "aws:amz:us-west-2:bedrock");
  CHECK(request.signing->access_key_id == "AKIAABCDEFGHIJKLMNOP");
  CHECK(request.signing->secret_access_key == "wJalrXUtnFEMIsecret");
  for (const auto& header : request.headers) {
    CHECK(header.find("wJalr") == std::string::npos);
  }
  // The refusal depends on the libcurl in use (8.9.0 signs the path right).
  auto why = provider.unusable_secret(secret);
  CHECK(why.has_value() == !upstream::libcurl_signs_bedrock_paths());
  if (why) {
    CHECK(why->find(upstream::libcurl_version()) != std::string::npos);
    CHECK(why->find("8.9.0") != std::string::npos);
    CHECK(why->find("wJalr") == std::string::npos);
  }
  CHECK_FALSE(provider.unusable_secret("ABSKbearer-key"));
  CHECK_FALSE(upstream::split_iam_key("bedrock-api-key-abc:def"));
}

TEST_CASE("bedrock: the probe of keys check is a one-token invoke of the walk's model") {
  BedrockProvider provider("us-east-1");
  auto probe =
      provider.probe("https://h", "ABSKbearer", "anthropic.claude-3-5-sonnet-20240620-v1:0");
  CHECK(probe.method == "POST");
  CHECK(probe.url == "https://h/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke");
  CHECK(has_header(probe, "authorization: Bearer ABSKbearer"));
  CHECK(has_header(probe, "content-type: application/json"));
  auto body = nlohmann::json::parse(probe.body);
  CHECK(body["max_tokens"] == 1);
  CHECK(body["anthropic_version"] == "bedrock-2023-05-31");
  CHECK(body["messages"].size() == 1);
  CHECK_FALSE(body.contains("model"));
  auto signed_probe = provider.probe("https://h", "AKIAABCDEFGHIJKLMNOP:wJalrXUtnFEMIsecret", "m");
  REQUIRE(signed_probe.signing);
  CHECK(signed_probe.signing->access_key_id == "AKIAABCDEFGHIJKLMNOP");
  CHECK(signed_probe.headers.size() == 2); // no credential among them
}

TEST_CASE("bedrock: errors are judged by their type, not their status") {
  BedrockProvider provider("us-east-1");
  struct Row {
    long status;
    std::string header;
    std::string body;
    std::string type;
    KeyFault fault;
  };
  for (const auto& row : {
           Row{429, "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
               R"({"message":"Too many requests"})", "ThrottlingException", KeyFault::rate},
           Row{400, "ServiceQuotaExceededException", R"({"message":"quota"})",
               "ServiceQuotaExceededException", KeyFault::rate},
           Row{403, "AccessDeniedException", "{}", "AccessDeniedException", KeyFault::revoked},
           Row{403, "", R"({"__type":"com.amazon.coral.service#UnrecognizedClientException"})",
               "UnrecognizedClientException", KeyFault::revoked},
           Row{400, "ExpiredTokenException", "", "ExpiredTokenException", KeyFault::revoked},
           Row{400, "ValidationException", R"({"message":"bad"})", "ValidationException",
               KeyFault::none},
           Row{429, "ModelNotReadyException", "{}", "ModelNotReadyException", KeyFault::none},
           Row{500, "InternalServerException", "{}", "InternalServerException", KeyFault::none},
       }) {
    CAPTURE(row.type);
    auto reading = read(provider, row.status, row.header, row.body);
    CHECK(reading.error_type == row.type);
    CHECK(reading.fault == row.fault);
    CHECK(reading.should_retry.has_value() == (row.type == "ModelNotReadyException"));
  }
  auto message = read(provider, 429, "ThrottlingException", R"({"message":"Too many requests"})");
  REQUIRE(message.error);
  CHECK(message.error->message == "Too many requests");
  // An answer that names no AWS type (a proxy's page): the status decides.
  auto plain = read(provider, 429, "", "<html>");
  CHECK(plain.fault == KeyFault::by_status);
}

TEST_CASE("bedrock: model ids are one path segment") {
  CHECK(upstream::path_segment("us.anthropic.claude-sonnet-4-5-20250929-v1:0") ==
        "us.anthropic.claude-sonnet-4-5-20250929-v1%3A0");
  CHECK(upstream::path_segment("arn:aws:bedrock:us-east-1:1:x/y") ==
        "arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ax%2Fy");
  CHECK(upstream::path_segment("a b?#") == "a%20b%3F%23");
}
