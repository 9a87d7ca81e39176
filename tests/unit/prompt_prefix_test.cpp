// What a prompt cache keys on, the rule for a prompt that could be cached,
// and the conversation a client's body names.
#include "upstream/prompt_prefix.hpp"

#include <doctest/doctest.h>

#include <string>

TEST_CASE("prompt_prefix: model, system, tools and the first message; later turns alike") {
  std::string one = R"({"model":"m","system":"s","messages":[{"role":"user","content":"a"}]})";
  std::string two = R"({"model":"m","system":"s","max_tokens":9,"messages":[)"
                    R"({"role":"user","content":"a"},{"role":"assistant","content":"b"},)"
                    R"({"role":"user","content":"c"}]})";
  CHECK_FALSE(upstream::prompt_prefix(one).empty());
  CHECK(upstream::prompt_prefix(one) == upstream::prompt_prefix(two));
  CHECK(upstream::prompt_prefix(R"({"model":"m","system":"other","messages":[]})") !=
        upstream::prompt_prefix(one));
  CHECK(upstream::prompt_prefix("not json").empty());
  CHECK(upstream::prompt_prefix(R"({"model":"m"})").empty());
}

TEST_CASE("prompt_prefix: OpenAI's system and developer messages, and the Responses API") {
  std::string chat = R"({"model":"m","messages":[{"role":"developer","content":"d"},)"
                     R"({"role":"user","content":"u"},{"role":"user","content":"later"}]})";
  CHECK(upstream::prompt_prefix(chat).find("\"u\"") != std::string::npos);
  CHECK(upstream::prompt_prefix(chat).find("later") == std::string::npos);
  std::string responses = R"({"model":"m","instructions":"i","input":[)"
                          R"({"role":"user","content":"first"},{"role":"user","content":"then"}]})";
  CHECK(upstream::prompt_prefix(responses).find("\"i\"") != std::string::npos);
  CHECK(upstream::prompt_prefix(responses).find("then") == std::string::npos);
  CHECK(upstream::prompt_prefix(R"({"model":"m","input":"just text"})").find("just text") !=
        std::string::npos);
}

TEST_CASE("could_be_cached: a long prefix or a cache_control breakpoint") {
  CHECK(upstream::could_be_cached(upstream::k_min_cached_prefix, "{}"));
  CHECK_FALSE(upstream::could_be_cached(upstream::k_min_cached_prefix - 1, "{}"));
  CHECK(upstream::could_be_cached(10, R"({"system":[{"cache_control":{"type":"ephemeral"}}]})"));
}

TEST_CASE("prompt_key: the conversation a body names, when asked, bounded") {
  auto named = [](const std::string& body) {
    return upstream::prompt_key(body, true).conversation.value_or("(none)");
  };
  CHECK(named(R"({"metadata":{"user_id":"u1"},"user":"u2"})") == "u1");
  CHECK(named(R"({"prompt_cache_key":"k","user":"u2"})") == "k");
  CHECK(named(R"({"user":"u2"})") == "u2");
  CHECK(named(R"({"metadata":{"user_id":7},"user":""})") == "(none)");
  CHECK(named(R"({"metadata":"u1"})") == "(none)");
  std::string longest(upstream::k_max_conversation_id, 'x');
  CHECK(named(R"({"user":")" + longest + "\"}") == longest);
  CHECK(named(R"({"user":")" + longest + "x\"}") == "(none)");

  // Named: the prefix is not computed; not asked for: the body's names are
  // not read.
  std::string body = R"({"model":"m","user":"u","messages":[{"role":"user","content":"a"}]})";
  CHECK(upstream::prompt_key(body, true).prefix.empty());
  CHECK_FALSE(upstream::prompt_key(body, false).conversation.has_value());
  CHECK(upstream::prompt_key(body, false).prefix == upstream::prompt_prefix(body));
}
