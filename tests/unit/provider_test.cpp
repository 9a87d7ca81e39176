#include "upstream/provider.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>

TEST_CASE("make_provider knows anthropic, openai and bedrock, and nothing else") {
  CHECK(upstream::provider_names() == std::vector<std::string>{"anthropic", "openai", "bedrock"});
  CHECK(upstream::listener_provider_names() == std::vector<std::string>{"anthropic", "openai"});
  for (const auto& name : upstream::provider_names()) {
    auto provider = upstream::make_provider(name, {"us-east-1"});
    REQUIRE(provider != nullptr);
    CHECK(provider->profile().name == name);
    CHECK_FALSE(provider->profile().key_env.empty());
    CHECK_FALSE(provider->profile().default_base_url.empty());
  }
  for (std::string name : {"", "Anthropic", "OPENAI", "gemini", "openai ", "Bedrock"}) {
    CAPTURE(name);
    CHECK(upstream::make_provider(name, {"us-east-1"}) == nullptr);
  }
}

TEST_CASE("the two providers differ only where their APIs do") {
  auto anthropic = upstream::make_provider("anthropic");
  auto openai = upstream::make_provider("openai");
  CHECK(anthropic->profile().key_file_name != openai->profile().key_file_name);
  CHECK(anthropic->profile().key_env != openai->profile().key_env);
  upstream::SseEvent done{"message", "[DONE]"};
  std::string text;
  upstream::UpstreamError error;
  CHECK(openai->decode_event(done, true, text, error) == upstream::EventKind::done);
  CHECK(anthropic->decode_event(done, true, text, error) == upstream::EventKind::ignored);
}

TEST_CASE("Provider::read: how the transfer ended decides the kind") {
  using Error = upstream::TransferResult::Error;
  using Kind = upstream::AnswerReading::Kind;
  for (const auto& name : upstream::provider_names()) {
    CAPTURE(name);
    auto provider = upstream::make_provider(name, {"us-east-1"});
    util::TimePoint now{};

    upstream::Attempt refused; // nothing came back
    refused.transfer.error = Error::connect;
    refused.transfer.message = "Couldn't connect to server";
    auto none = provider->read(refused, now);
    CHECK(none.kind == Kind::no_answer);
    CHECK_FALSE(none.received_bytes);
    CHECK(none.error_type.empty());
    CHECK(refused.unreachable());

    upstream::Attempt stopped; // Ctrl-C
    stopped.transfer.error = Error::interrupted;
    CHECK(provider->read(stopped, now).kind == Kind::interrupted);
    CHECK_FALSE(stopped.unreachable());

    upstream::Attempt cut; // a 503 whose body was cut off: its head still counts
    cut.status = 529;
    cut.headers.add("retry-after", "2");
    cut.headers.add("x-should-retry", " TRUE ");
    cut.transfer.error = Error::dropped;
    cut.transfer.received_bytes = true;
    auto reading = provider->read(cut, now);
    CHECK(reading.kind == Kind::cut_off);
    CHECK(reading.status == 529);
    CHECK(reading.error_type == "overloaded_error");
    CHECK_FALSE(reading.error);
    CHECK(reading.retry_after == util::Millis{2000});
    CHECK(reading.should_retry == true);
    CHECK_FALSE(cut.unreachable());

    upstream::Attempt ok; // a 2xx names no error, whatever its body
    ok.status = 200;
    ok.error_body = R"({"error":{"type":"x","message":"y"},"type":"error"})";
    ok.headers.add("x-should-retry", "false");
    ok.transfer.received_bytes = true;
    auto good = provider->read(ok, now);
    CHECK(good.kind == Kind::answered);
    CHECK(good.error_type.empty());
    CHECK_FALSE(good.error);
    CHECK(good.should_retry == false);

    upstream::Attempt unsure; // x-should-retry neither true nor false: not sent
    unsure.status = 500;
    unsure.headers.add("x-should-retry", "maybe");
    unsure.transfer.received_bytes = true;
    CHECK_FALSE(provider->read(unsure, now).should_retry.has_value());
  }
}
