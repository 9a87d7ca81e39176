#include "upstream/provider.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>

TEST_CASE("make_provider knows anthropic and openai, and nothing else") {
  CHECK(upstream::provider_names() == std::vector<std::string>{"anthropic", "openai"});
  for (const auto& name : upstream::provider_names()) {
    auto provider = upstream::make_provider(name);
    REQUIRE(provider != nullptr);
    CHECK(provider->profile().name == name);
    CHECK_FALSE(provider->profile().key_env.empty());
    CHECK_FALSE(provider->profile().default_base_url.empty());
  }
  for (std::string name : {"", "Anthropic", "OPENAI", "gemini", "openai "}) {
    CAPTURE(name);
    CHECK(upstream::make_provider(name) == nullptr);
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
