// One client request of the listener through the walk (forward), against an
// in-memory transport, mark store and clock, with a sink that records what
// the client would see: no socket, no thread, no sleep.
#include "listener_forward.hpp"

#include "affinity_id.hpp"

#include "fake_transport.hpp"
#include "test_support.hpp"
#include "upstream/anthropic.hpp"
#include "upstream/openai.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

namespace {

const char* const k_body =
    R"({"model":"claude-test","max_tokens":16,"messages":[{"role":"user","content":"hi"}]})";

// What the client saw, in order.
class RecordingSink final : public app::ReplySink {
public:
  void start(long s, const app::HeaderList& h) override {
    ++starts;
    status = s;
    headers = h;
    events.push_back("start");
  }
  bool chunk(std::string_view bytes) override {
    body.append(bytes);
    events.push_back("chunk");
    return !gone;
  }
  void end(bool whole) override {
    ++ends;
    complete = whole;
    events.push_back("end");
  }
  void whole(long s, const app::HeaderList& h, std::string_view bytes) override {
    ++starts;
    ++ends;
    status = s;
    headers = h;
    body.append(bytes);
    complete = true;
    events.push_back("whole");
  }
  std::string header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) {
        return v;
      }
    }
    return "(none)";
  }

  long status = 0;
  app::HeaderList headers;
  std::string body;
  std::vector<std::string> events;
  int starts = 0;
  int ends = 0;
  bool complete = false;
  bool gone = false;
};

test::ScriptedAnswer answer(long status, std::vector<std::string> chunks,
                            std::vector<std::pair<std::string, std::string>> headers = {}) {
  test::ScriptedAnswer scripted;
  scripted.status = status;
  scripted.headers = std::move(headers);
  scripted.chunks = std::move(chunks);
  return scripted;
}

std::string anthropic_error(const std::string& type, const std::string& message) {
  return nlohmann::json{{"type", "error"}, {"error", {{"type", type}, {"message", message}}}}
      .dump();
}

struct Forward {
  upstream::AnthropicProvider provider;
  std::string base_url = "https://api.example.test";
  app::KeySource source;
  pool::MemoryMarkStore store;
  util::ManualClock clock{*util::parse_rfc3339("2026-11-29T10:00:00Z")};
  test::FakeTransport transport;
  app::Console console;
  app::ForwardOptions options;
  RecordingSink sink;
  std::string said; // what the console said
  pool::MemoryAffinityStore affinities;
  bool with_affinities = false;
  app::HeaderList extra; // the client's headers beside the token's

  Forward() {
    source.keys.push_back(keys::make_key("one", "sk-ant-one-0123456789"));
    source.keys.push_back(keys::make_key("two", "sk-ant-two-0123456789"));
    console.capture = &said;
  }

  app::ForwardSummary run(const std::string& method = "POST",
                          const std::string& path = "/v1/messages",
                          const std::string& body = k_body,
                          const upstream::Provider* other = nullptr) {
    const upstream::Provider& used = other ? *other : provider;
    app::SendWorld world{used,  base_url,  source,  store,
                         clock, transport, console, [] { return 0.0; }};
    if (with_affinities) {
      world.affinities = &affinities;
    }
    app::ForwardRequest request{
        method,
        path,
        {{"x-api-key", "TOKEN"}, {"anthropic-version", "2023-06-01"}, {"connection", "keep-alive"}},
        body};
    request.headers.insert(request.headers.end(), extra.begin(), extra.end());
    // A fresh sink for each run (the affinity cases run twice), keeping
    // whether the test said its client is gone.
    bool gone = sink.gone;
    sink = RecordingSink{};
    sink.gone = gone;
    return app::forward(world, options, request, sink);
  }

  bool sent_with(std::size_t request, const std::string& line) const {
    const auto& headers = transport.sent().at(request).headers;
    return std::find(headers.begin(), headers.end(), line) != headers.end();
  }
};

} // namespace

TEST_CASE("forward: a 429 fails over before the client sees a byte; the success is relayed") {
  Forward f;
  f.transport.script(
      answer(429, {anthropic_error("rate_limit_error", "slow down")}, {{"retry-after", "30"}}));
  f.transport.script(answer(200, {"event: a\n", "data: 1\n\n"},
                            {{"content-type", "text/event-stream"}, {"content-length", "19"}}));
  auto summary = f.run();
  CHECK(summary.status == 200);
  REQUIRE(summary.key != nullptr);
  CHECK(summary.key->label == "two");
  CHECK(summary.model == "claude-test");
  CHECK(f.sink.starts == 1);
  CHECK(f.sink.ends == 1);
  CHECK(f.sink.status == 200);
  CHECK(f.sink.body == "event: a\ndata: 1\n\n"); // byte for byte, chunk by chunk
  CHECK(f.sink.events == std::vector<std::string>{"start", "chunk", "chunk", "end"});
  CHECK(f.sink.header("bridge-key") == "two");
  CHECK(f.sink.header("content-type") == "text/event-stream");
  CHECK(f.sink.header("content-length") == "(none)"); // framing is the server's
  CHECK(f.sink.complete);
  // The first key cools for the model, as for ask.
  auto marks = f.store.load()[f.source.keys[0].fingerprint];
  CHECK(marks.models.count("claude-test") == 1);
  // Each key went as x-api-key; the token, and hop-by-hop headers, never.
  REQUIRE(f.transport.sent().size() == 2);
  CHECK(f.transport.sent()[0].url == "https://api.example.test/v1/messages");
  CHECK(f.transport.sent()[0].method == "POST");
  CHECK(f.sent_with(0, "x-api-key: sk-ant-one-0123456789"));
  CHECK(f.sent_with(1, "x-api-key: sk-ant-two-0123456789"));
  CHECK(f.sent_with(1, "anthropic-version: 2023-06-01"));
  for (const auto& sent : f.transport.sent()) {
    for (const auto& line : sent.headers) {
      CHECK(line.find("TOKEN") == std::string::npos);
      CHECK(line.find("keep-alive") == std::string::npos);
    }
  }
}

TEST_CASE("forward: every key cooling gives 429 with retry-after in whole seconds, rounded up") {
  Forward f;
  f.transport.script(
      answer(429, {anthropic_error("rate_limit_error", "a")}, {{"retry-after-ms", "30500"}}));
  f.transport.script(
      answer(429, {anthropic_error("rate_limit_error", "b")}, {{"retry-after-ms", "45200"}}));
  auto summary = f.run();
  CHECK(summary.status == 429);
  CHECK(f.sink.status == 429);
  CHECK(f.sink.header("retry-after") == "31");
  CHECK(f.sink.header("retry-after-ms") == "30500");
  auto body = nlohmann::json::parse(f.sink.body);
  CHECK(body["type"] == "error");
  CHECK(body["error"]["type"] == "rate_limit_error");
  CHECK(f.sink.ends == 1);
}

TEST_CASE("forward: every key disabled gives 401 naming bridge keys check") {
  Forward f;
  f.transport.script(answer(401, {anthropic_error("authentication_error", "invalid x-api-key")}));
  f.transport.script(answer(403, {anthropic_error("permission_error", "no")}));
  auto summary = f.run();
  CHECK(summary.status == 401);
  auto body = nlohmann::json::parse(f.sink.body);
  CHECK(body["error"]["type"] == "authentication_error");
  CHECK(body["error"]["message"].get<std::string>().find("bridge keys check") != std::string::npos);
}

TEST_CASE("forward: an answer that is not the key's fault is relayed as received, keys hidden") {
  Forward f;
  std::string error = anthropic_error("invalid_request_error", "bad key sk-ant-one-0123456789");
  f.transport.script(
      answer(400, {error.substr(0, 10), error.substr(10)}, {{"request-id", "req_9"}}));
  auto summary = f.run();
  CHECK(summary.status == 400);
  CHECK(f.sink.status == 400);
  CHECK(f.sink.header("request-id") == "req_9");
  CHECK(f.sink.header("bridge-key") == "one");
  CHECK(f.sink.body.find("sk-ant-one-0123456789") == std::string::npos);
  CHECK(f.sink.body.find("invalid_request_error") != std::string::npos);
  CHECK(f.transport.sent().size() == 1); // no failover, no retry (retries default to 0)
}

TEST_CASE("forward: a 529 overload is relayed and cools nothing") {
  Forward f;
  f.transport.script(answer(529, {anthropic_error("overloaded_error", "Overloaded")}));
  auto summary = f.run();
  CHECK(summary.status == 529);
  CHECK(f.transport.sent().size() == 1);
  CHECK(f.store.load()[f.source.keys[0].fingerprint].unmarked());
}

TEST_CASE("forward: the method, path and query go as the client sent them") {
  Forward f;
  f.transport.script(answer(200, {R"({"data":[]})"}));
  f.run("GET", "/v1/models?limit=2", "");
  REQUIRE(f.transport.sent().size() == 1);
  CHECK(f.transport.sent()[0].method == "GET");
  CHECK(f.transport.sent()[0].url == "https://api.example.test/v1/models?limit=2");
  CHECK(f.sink.body == R"({"data":[]})");
}

TEST_CASE("forward: OpenAI keys go as a bearer token, errors in OpenAI's shape") {
  Forward f;
  upstream::OpenAiProvider openai;
  f.base_url = "https://api.example.test/v1";
  f.source.keys.clear();
  f.source.keys.push_back(keys::make_key("a", "sk-proj-a-0123456789"));
  f.transport.script(
      answer(429, {R"({"error":{"message":"slow","type":"requests"}})"}, {{"retry-after", "7"}}));
  auto summary = f.run("POST", "/chat/completions", R"({"model":"gpt-test"})", &openai);
  CHECK(summary.status == 429);
  CHECK(f.transport.sent()[0].url == "https://api.example.test/v1/chat/completions");
  CHECK(f.sent_with(0, "authorization: Bearer sk-proj-a-0123456789"));
  auto body = nlohmann::json::parse(f.sink.body);
  CHECK(body["error"]["type"] == "rate_limit_error");
  CHECK(f.sink.header("retry-after") == "7");
}

TEST_CASE("forward: a client gone mid-stream stops the transfer and ends the walk") {
  Forward f;
  f.sink.gone = true; // the first chunk finds the client gone
  f.transport.script(answer(200, {"data: 1\n\n", "data: 2\n\n"}));
  auto summary = f.run();
  CHECK(summary.status == 200);
  CHECK(f.sink.events == std::vector<std::string>{"start", "chunk", "end"});
  CHECK(f.transport.sent().size() == 1);
}

TEST_CASE("forward: an unreachable upstream gives 502 in the provider's shape") {
  Forward f;
  test::ScriptedAnswer refused;
  refused.reached = false;
  refused.error = upstream::TransferResult::Error::connect;
  refused.message = "Connection refused";
  f.transport.script(refused);
  auto summary = f.run();
  CHECK(summary.status == 502);
  auto body = nlohmann::json::parse(f.sink.body);
  CHECK(body["error"]["type"] == "api_error");
}

TEST_CASE("forward: a success that breaks off mid-way reaches the client broken, not shorter") {
  Forward f;
  test::ScriptedAnswer cut = answer(200, {"data: 1\n\n"});
  cut.error = upstream::TransferResult::Error::dropped;
  cut.message = "connection reset";
  f.transport.script(cut);
  auto summary = f.run();
  CHECK(summary.status == 200);
  CHECK(f.sink.body == "data: 1\n\n");
  CHECK(f.sink.ends == 1);
  CHECK_FALSE(f.sink.complete);
  CHECK(f.transport.sent().size() == 1); // not retried: the client has begun its answer
}

TEST_CASE("forward: a small blocking success goes to the sink whole, once complete") {
  Forward f;
  f.transport.script(answer(200, {R"({"type":"mess)", R"(age"})"},
                            {{"content-type", "application/json"}, {"content-length", "18"}}));
  auto summary = f.run();
  CHECK(summary.status == 200);
  CHECK(f.sink.events == std::vector<std::string>{"whole"}); // one hand-over, not four
  CHECK(f.sink.body == R"({"type":"message"})");
  CHECK(f.sink.header("bridge-key") == "one");
  CHECK(f.sink.header("content-length") == "(none)");
}

TEST_CASE("forward: a held success that breaks off reaches the client broken, as relayed") {
  Forward f;
  test::ScriptedAnswer cut = answer(
      200, {R"({"type":)"}, {{"content-type", "application/json"}, {"content-length", "40"}});
  cut.error = upstream::TransferResult::Error::dropped;
  cut.message = "connection reset";
  f.transport.script(cut);
  auto summary = f.run();
  CHECK(summary.status == 200);
  CHECK(f.sink.events == std::vector<std::string>{"start", "chunk", "end"});
  CHECK(f.sink.body == R"({"type":)");
  CHECK_FALSE(f.sink.complete);
  // Longer than 64 KiB, or no length: relayed as it arrives.
  Forward g;
  g.transport.script(answer(200, {"{", "}"}, {{"content-type", "application/json"}}));
  g.run();
  CHECK(g.sink.events == std::vector<std::string>{"start", "chunk", "chunk", "end"});
}

TEST_CASE("forward: a session header keeps the conversation on the key that served it") {
  Forward f;
  f.with_affinities = true;
  f.console.verbose = true;
  f.extra = {{"x-claude-code-session-id", "session-secret"}};
  f.transport.script(
      answer(429, {anthropic_error("rate_limit_error", "slow down")}, {{"retry-after", "30"}}));
  f.transport.script(answer(200, {"one"}));
  CHECK(f.run().key->label == "two");
  // Remembered under the hash the one rule gives, never the session itself.
  CHECK(f.affinities.size() == 1);
  CHECK_FALSE(f.affinities.lookup("session-secret").has_value());
  auto entry = f.affinities.lookup(app::affinity_id(std::string("session-secret"), k_body));
  REQUIRE(entry.has_value());
  CHECK(entry->fingerprint == f.source.keys[1].fingerprint);

  // Key one is usable again and first in the order: the session stays on two.
  f.clock.advance(util::Millis(60'000));
  f.transport.script(answer(200, {"two"}));
  CHECK(f.run().key->label == "two");
  CHECK(f.said.find("key two (sk-a...6789): chosen for affinity") != std::string::npos);
  CHECK(f.said.find("session-secret") == std::string::npos);

  // Without the header, the plain walk.
  f.extra.clear();
  f.transport.script(answer(200, {"three"}));
  CHECK(f.run().key->label == "one");
  // A token count reads no cache: no affinity, and nothing remembered.
  f.extra = {{"x-claude-code-session-id", "session-secret"}};
  f.transport.script(answer(200, {"{}"}));
  CHECK(f.run("POST", "/v1/messages/count_tokens").key->label == "one");
  CHECK(f.affinities.size() == 1);
}

TEST_CASE("forward: the body's metadata.user_id, OpenAI's prompt_cache_key or user name the "
          "conversation") {
  upstream::OpenAiProvider openai;
  for (const char* field : {R"("metadata":{"user_id":"u-secret"})",
                            R"("prompt_cache_key":"u-secret")", R"("user":"u-secret")"}) {
    CAPTURE(field);
    Forward f;
    f.with_affinities = true;
    std::string body = std::string(R"({"model":"m",)") + field +
                       R"(,"messages":[{"role":"user","content":"hi"}]})";
    f.transport.script(answer(200, {"{}"}));
    f.run("POST", "/v1/chat/completions", body, &openai);
    // The same id as a session of that name: a conversation its client names.
    CHECK(f.affinities.lookup(app::affinity_id(std::string("u-secret"), k_body)).has_value());
  }
}
