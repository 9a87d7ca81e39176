// The listener's header and path rules, apart from any server.
#include "listener_http.hpp"

#include "upstream/prompt_prefix.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace {

bool has(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

} // namespace

TEST_CASE("listener: the token is accepted as x-api-key or as a bearer token, nothing else") {
  const std::string token = "0123456789abcdef0123456789abcdef";
  CHECK(app::carries_token({{"X-Api-Key", token}}, token));
  CHECK(app::carries_token({{"authorization", "Bearer " + token}}, token));
  CHECK(app::carries_token({{"Authorization", "bearer  " + token + " "}}, token));
  CHECK_FALSE(app::carries_token({}, token));
  CHECK_FALSE(app::carries_token({{"x-api-key", token + "0"}}, token));
  CHECK_FALSE(app::carries_token({{"x-api-key", token.substr(1)}}, token));
  CHECK_FALSE(app::carries_token({{"authorization", token}}, token)); // no scheme
  CHECK_FALSE(app::carries_token({{"authorization", "Basic " + token}}, token));
  CHECK_FALSE(app::carries_token({{"x-other", token}}, token));
  // A wrong credential beside the right one does not hide it.
  CHECK(app::carries_token({{"x-api-key", "wrong"}, {"authorization", "Bearer " + token}}, token));
  // An empty token matches nothing, not even an empty header.
  CHECK_FALSE(app::carries_token({{"x-api-key", ""}}, ""));
}

TEST_CASE("listener: constant-time comparison is plain equality") {
  CHECK(app::constant_time_equal("abc", "abc"));
  CHECK_FALSE(app::constant_time_equal("abc", "abd"));
  CHECK_FALSE(app::constant_time_equal("abc", "ab"));
  CHECK(app::constant_time_equal("", ""));
}

TEST_CASE("listener: credentials, hop-by-hop headers and framing never go upstream") {
  app::HeaderList client = {{"Host", "127.0.0.1:8787"},
                            {"x-api-key", "TOKEN"},
                            {"Authorization", "Bearer TOKEN"},
                            {"Connection", "keep-alive, X-Hop"},
                            {"X-Hop", "1"},
                            {"Keep-Alive", "timeout=5"},
                            {"Transfer-Encoding", "chunked"},
                            {"Content-Length", "12"},
                            {"Accept-Encoding", "gzip"},
                            {"TE", "trailers"},
                            {"Upgrade", "h2c"},
                            {"Proxy-Authorization", "Basic x"},
                            {"anthropic-version", "2023-06-01"},
                            {"anthropic-beta", "tools-2024"},
                            {"content-type", "application/json"}};
  auto sent = app::forwarded_headers(client);
  CHECK(sent == std::vector<std::string>{"anthropic-version: 2023-06-01",
                                         "anthropic-beta: tools-2024",
                                         "content-type: application/json"});
  CHECK_FALSE(has(sent, "x-api-key: TOKEN"));
}

TEST_CASE("listener: the upstream's headers go back without hop-by-hop ones and framing") {
  upstream::Headers answer;
  answer.add("content-type", "text/event-stream");
  answer.add("transfer-encoding", "chunked");
  answer.add("content-length", "10");
  answer.add("connection", "close");
  answer.add("request-id", "req_1");
  answer.add("anthropic-ratelimit-requests-remaining", "3");
  auto relayed = app::relayed_headers(answer);
  CHECK(relayed == app::HeaderList{{"content-type", "text/event-stream"},
                                   {"request-id", "req_1"},
                                   {"anthropic-ratelimit-requests-remaining", "3"}});
}

TEST_CASE("listener: batches and files are bound to the key that made them") {
  CHECK(app::key_bound_path("/v1/messages/batches"));
  CHECK(app::key_bound_path("/v1/messages/batches/msgbatch_1/results"));
  CHECK(app::key_bound_path("/v1/messages/batches?limit=10"));
  CHECK(app::key_bound_path("/v1/files/file_1/content"));
  CHECK(app::key_bound_path("/files")); // OpenAI, after /openai/v1
  CHECK(app::key_bound_path("/batches/batch_1"));
  CHECK(app::key_bound_path("/uploads"));
  CHECK_FALSE(app::key_bound_path("/v1/messages"));
  CHECK_FALSE(app::key_bound_path("/v1/messages/count_tokens"));
  CHECK_FALSE(app::key_bound_path("/v1/filesystem"));
  CHECK_FALSE(app::key_bound_path("/chat/completions"));
  CHECK(app::path_of("/v1/models?limit=2") == "/v1/models");
}

TEST_CASE("listener: the walks a prompt cache serves are the model's answers") {
  CHECK(app::prompt_path("/v1/messages"));
  CHECK(app::prompt_path("/v1/messages?beta=true"));
  CHECK(app::prompt_path("/v1/chat/completions"));
  CHECK(app::prompt_path("/v1/responses"));
  CHECK_FALSE(app::prompt_path("/v1/messages/count_tokens"));
  CHECK_FALSE(app::prompt_path("/v1/models"));
  CHECK_FALSE(app::prompt_path("/v1/messagesx"));
}

TEST_CASE("listener: the client's session header, bounded") {
  CHECK_FALSE(app::client_session({{"x-api-key", "TOKEN"}}).has_value());
  CHECK(app::client_session({{"X-Claude-Code-Session-Id", " 4b1c-uuid "}}) ==
        std::optional<std::string>("4b1c-uuid"));
  CHECK_FALSE(app::client_session({{"x-claude-code-session-id", "  "}}).has_value());
  std::string longest(upstream::k_max_conversation_id, 's');
  CHECK(app::client_session({{"x-claude-code-session-id", longest}}) ==
        std::optional<std::string>(longest));
  CHECK_FALSE(app::client_session({{"x-claude-code-session-id", longest + "s"}}).has_value());
  CHECK_FALSE(app::client_session({{"x-session-id", "other"}}).has_value());
}
