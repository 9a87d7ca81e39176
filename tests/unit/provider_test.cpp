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

TEST_CASE("proactive_cooldown: only used-up kinds with a future reset, capped") {
  util::TimePoint now = *util::parse_rfc3339("2026-11-29T10:00:00Z");
  using upstream::RateLimitReading;
  CHECK_FALSE(upstream::proactive_cooldown({{"requests", 1, 5, now + util::Millis{9000}}}, now, util::Millis{60'000}));
  CHECK_FALSE(upstream::proactive_cooldown({{"requests", 0, 5, std::nullopt}}, now, util::Millis{60'000}));
  CHECK_FALSE(upstream::proactive_cooldown({{"requests", 0, 5, now - util::Millis{1}}}, now, util::Millis{60'000}));
  auto later = upstream::proactive_cooldown(
      {{"requests", 0, 5, now + util::Millis{2000}}, {"tokens", 0, 5, now + util::Millis{9000}}}, now,
      util::Millis{60'000});
  REQUIRE(later.has_value());
  CHECK(later->delay == util::Millis{9000});
  CHECK(later->reason == "tokens_remaining_0");
  auto capped = upstream::proactive_cooldown({{"tokens", 0, 5, now + util::Millis{3'600'000}}}, now,
                                             util::Millis{60'000});
  CHECK(capped->delay == util::Millis{60'000});
}
