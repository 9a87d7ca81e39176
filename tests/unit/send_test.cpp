// The walk of `ask` and `stream` as the app runs it (send_body: the
// provider's reading of each attempt, the marks, the narration and the
// report), against an in-memory transport, an in-memory mark store and a
// manual clock: no socket, no file, no sleep.
#include "send.hpp"

#include "narrator.hpp"

#include "fake_transport.hpp"
#include "test_support.hpp"
#include "upstream/anthropic.hpp"
#include "upstream/openai.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace {

const char* const k_model = "claude-test";
const char* const k_body =
    R"({"model":"claude-test","max_tokens":16,"messages":[{"role":"user","content":"hi"}]})";

std::string anthropic_error(const std::string& type, const std::string& message,
                            const std::string& code = {}) {
  nlohmann::json error = {{"type", type}, {"message", message}};
  if (!code.empty()) {
    error["details"] = {{"error_code", code}};
  }
  return nlohmann::json{{"type", "error"}, {"error", error}}.dump();
}

test::ScriptedAnswer answer(long status, std::string body,
                            std::vector<std::pair<std::string, std::string>> headers = {}) {
  test::ScriptedAnswer scripted;
  scripted.status = status;
  scripted.headers = std::move(headers);
  // Two chunks, so that a body split across reads is put together.
  std::size_t half = body.size() / 2;
  scripted.chunks = {body.substr(0, half), body.substr(half)};
  return scripted;
}

test::ScriptedAnswer success(const std::string& text) {
  return answer(200, nlohmann::json{{"content", {{{"type", "text"}, {"text", text}}}}}.dump(),
                {{"content-type", "application/json"}});
}

// A plain blocking exchange: keeps the body, and the text on success.
class TestExchange final : public app::Exchange {
public:
  void begin(app::AttemptRecord& record) override {
    m_record = &record;
    m_body.clear();
  }
  void head(long status, const upstream::Headers& headers) override {
    m_record->attempt.status = status;
    m_record->attempt.headers = headers;
  }
  bool body(std::string_view chunk) override {
    m_body.append(chunk);
    return true;
  }
  void ended(app::AttemptRecord& record) override {
    if (record.attempt.status < 200 || record.attempt.status >= 300) {
      record.attempt.error_body = m_body;
    }
  }
  pool::AttemptOutcome finish(app::AttemptRecord&, pool::AttemptOutcome outcome) override {
    return outcome;
  }
  void succeed(app::AttemptRecord&) override {
    text = m_provider->answer_text(m_body).value_or("(not an answer)");
    ++successes;
  }

  std::string text;
  int successes = 0;

private:
  app::AttemptRecord* m_record = nullptr;
  std::string m_body;
};

struct Send {
  upstream::AnthropicProvider provider;
  std::string base_url = "https://api.example.test";
  app::KeySource source;
  pool::MemoryMarkStore store;
  util::ManualClock clock{*util::parse_rfc3339("2026-11-29T10:00:00Z")};
  test::FakeTransport transport;
  std::string said; // what the console said
  app::Console console;
  app::SendOptions options;
  TestExchange exchange;

  Send() {
    source.key_file = "/home/test/.config/bridge/keys";
    source.keys.push_back(keys::make_key("one", "sk-ant-one-0123456789"));
    source.keys.push_back(keys::make_key("two", "sk-ant-two-0123456789"));
    console.verbose = true;
    console.capture = &said;
  }

  int run(const upstream::Provider* other = nullptr) {
    const upstream::Provider& used = other ? *other : provider;
    app::SendWorld world{used,  base_url,  source,  store,
                         clock, transport, console, [] { return 0.0; }};
    return app::send_body(world, options, k_body, /*stream=*/false, exchange);
  }

  const keys::Key& key(int i) const { return source.keys[static_cast<std::size_t>(i)]; }
  pool::KeyMarks marks_of(int i) { return store.load()[key(i).fingerprint]; }
  // The secret the i-th request carried (the fake saw the headers).
  bool sent_with(std::size_t request, int i) const {
    const auto& headers = transport.sent().at(request).headers;
    return std::find(headers.begin(), headers.end(), "x-api-key: " + key(i).secret) !=
           headers.end();
  }
  bool said_contains(const std::string& text) const { return said.find(text) != std::string::npos; }
};

} // namespace

TEST_CASE("send: a 429 cools the key for the request's model, and the next key answers") {
  Send send;
  send.transport.script(
      answer(429, anthropic_error("rate_limit_error", "slow down"), {{"retry-after", "30"}}));
  send.transport.script(success("hello"));
  CHECK(send.run() == 0);
  CHECK(send.exchange.successes == 1);
  CHECK(send.exchange.text == "hello");
  REQUIRE(send.transport.sent().size() == 2);
  CHECK(send.transport.sent()[0].url == "https://api.example.test/v1/messages");
  CHECK(send.sent_with(0, 0));
  CHECK(send.sent_with(1, 1));
  auto first = send.marks_of(0);
  CHECK_FALSE(first.key_wide);
  REQUIRE(first.models.count(k_model) == 1);
  const pool::KeyMark& mark = first.models.at(k_model);
  CHECK(mark.status == 429);
  CHECK(mark.reason == "rate_limit_error");
  CHECK(mark.until - send.clock.now() == util::Millis{30'000}); // the delay the answer asked for
  CHECK(send.marks_of(1).unmarked());
  CHECK(send.said_contains(
      "key " + app::describe_key(send.key(0)) +
      ": 429 rate_limit_error, cooling for 30s for claude-test; trying the next key\n"));
  CHECK(send.said_contains("answer served by key " + app::describe_key(send.key(1))));
  CHECK(send.said_contains("2 attempts over 1 connection\n"));
  // A key never reaches the console.
  CHECK(send.said.find(send.key(0).secret) == std::string::npos);
}

TEST_CASE("send: a 401 disables the key for every model, and the next key answers") {
  Send send;
  send.transport.script(answer(401, anthropic_error("authentication_error", "invalid x-api-key")));
  send.transport.script(success("hi"));
  CHECK(send.run() == 0);
  CHECK(send.exchange.text == "hi");
  auto first = send.marks_of(0);
  REQUIRE(first.key_wide);
  CHECK(pool::is_disabled(*first.key_wide));
  CHECK(first.key_wide->status == 401);
  CHECK(first.key_wide->reason == "authentication_error");
  CHECK(send.said_contains(": 401 authentication_error, disabled; trying the next key\n"));
}

TEST_CASE("send: every key refused is exit 77 and names the key file") {
  Send send;
  send.transport.script(answer(401, anthropic_error("authentication_error", "no")));
  send.transport.script(answer(403, anthropic_error("permission_error", "no")));
  CHECK(send.run() == static_cast<int>(util::ExitCode::no_permission));
  CHECK(send.exchange.successes == 0);
  CHECK(send.said_contains(
      "bridge: all 2 configured keys are disabled (last answer: 403 permission_error); "
      "fix /home/test/.config/bridge/keys and run 'bridge keys reset'\n"));
}

TEST_CASE("send: a 500 is reported without failover, with the upstream's error and request id") {
  Send send;
  for (int i = 0; i < 3; ++i) {
    send.transport.script(answer(500, anthropic_error("api_error", "Internal server error"),
                                 {{"request-id", "req_42"}}));
  }
  CHECK(send.run() == static_cast<int>(util::ExitCode::upstream_error));
  // No failover: two retries (the default, with a key file too) on the same key.
  REQUIRE(send.transport.sent().size() == 3);
  CHECK(send.sent_with(2, 0));
  CHECK(send.marks_of(0).unmarked());
  CHECK(send.said_contains(
      "bridge: upstream error 500 api_error: Internal server error (request-id req_42)\n"));
}

TEST_CASE("send: a body that is not an API error is shown as an excerpt; --json says it as JSON") {
  Send send;
  send.options.retries = 0;
  send.transport.script(answer(502, "<html>\n<body>Bad Gateway</body></html>"));
  CHECK(send.run() == static_cast<int>(util::ExitCode::upstream_error));
  CHECK(send.said_contains("bridge: upstream error 502 (body is not an API error): <html> "
                           "<body>Bad Gateway</body></html>\n"));

  Send machine;
  machine.options.machine_output = true;
  machine.options.retries = 0;
  machine.transport.script(answer(502, "<html>Bad Gateway</html>"));
  CHECK(machine.run() == static_cast<int>(util::ExitCode::upstream_error));
  auto line = machine.said.substr(machine.said.rfind("{\"type\":\"error\""));
  auto json = nlohmann::json::parse(line);
  CHECK(json["error"]["type"] == "api_error");
  CHECK(json["error"]["message"] == "HTTP 502: <html>Bad Gateway</html>");
}

TEST_CASE("send: a spend limit cools the key for every model until the end it names") {
  Send send;
  send.transport.script(
      answer(429, anthropic_error("rate_limit_error",
                                  "Spend limit reached. You will regain access on "
                                  "2026-12-01 at 00:00 UTC.",
                                  "enforced_spend_limit_reached")));
  send.transport.script(success("fine"));
  CHECK(send.run() == 0);
  auto first = send.marks_of(0);
  REQUIRE(first.key_wide);
  CHECK(first.key_wide->reason == "spend_limit");
  CHECK(first.key_wide->until == *util::parse_rfc3339("2026-12-01T00:00:00Z"));
  CHECK(first.models.empty());
  CHECK(send.said_contains("(spend_limit), cooling for"));
}

TEST_CASE("send: every key cooling is exit 75 and says when to retry; --wait too short says so") {
  Send send;
  send.options.wait = "5";
  send.transport.script(
      answer(429, anthropic_error("rate_limit_error", "slow"), {{"retry-after", "30"}}));
  send.transport.script(
      answer(429, anthropic_error("rate_limit_error", "slow"), {{"retry-after", "40"}}));
  CHECK(send.run() == static_cast<int>(util::ExitCode::temp_fail));
  CHECK(send.said_contains("bridge: all 2 configured keys are rate-limited (retry after 30s); "
                           "--wait=5 is too short for that\n"));
  CHECK(send.clock.slept() == util::Millis{0}); // 30 s is more than --wait allows: no sleep at all
}

TEST_CASE("send: an unreachable upstream is exit 69 and names the base URL") {
  Send send;
  send.options.retries = 0;
  test::ScriptedAnswer refused;
  refused.reached = false;
  refused.error = upstream::TransferResult::Error::connect;
  refused.message = "Couldn't connect to server";
  send.transport.script(refused);
  CHECK(send.run() == static_cast<int>(util::ExitCode::unavailable));
  CHECK(send.transport.sent().size() == 1);
  CHECK(send.said_contains(
      "bridge: cannot reach https://api.example.test: Couldn't connect to server\n"));
}

TEST_CASE("send: a retry on the same key waits on the clock; x-should-retry: false forbids it") {
  Send send;
  send.options.retries = 1;
  send.transport.script(answer(529, anthropic_error("overloaded_error", "busy")));
  send.transport.script(success("after a retry"));
  CHECK(send.run() == 0);
  CHECK(send.exchange.text == "after a retry");
  REQUIRE(send.transport.sent().size() == 2);
  CHECK(send.sent_with(1, 0));                    // the same key
  CHECK(send.clock.slept() == util::Millis{500}); // the first backoff, no jitter
  CHECK(send.said_contains(": retry 1 in 500 ms\n"));

  Send told;
  told.options.retries = 1;
  told.transport.script(
      answer(529, anthropic_error("overloaded_error", "busy"), {{"x-should-retry", "false"}}));
  CHECK(told.run() == static_cast<int>(util::ExitCode::upstream_error));
  CHECK(told.transport.sent().size() == 1);
}

TEST_CASE("send: the OpenAI shape walks the same way") {
  Send send;
  upstream::OpenAiProvider openai;
  send.base_url = "https://api.example.test/v1";
  send.transport.script(answer(
      429,
      R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}})"));
  send.transport.script(
      answer(200, R"({"choices":[{"message":{"role":"assistant","content":"ok"}}]})"));
  CHECK(send.run(&openai) == 0);
  CHECK(send.exchange.text == "ok");
  CHECK(send.transport.sent()[0].url == "https://api.example.test/v1/chat/completions");
  auto first = send.marks_of(0);
  REQUIRE(first.key_wide);
  CHECK(first.key_wide->reason == "spend_limit");
}

TEST_CASE("send: an answer cut off mid-way is reported, not retried nor failed over") {
  Send send;
  send.options.retries = 2;
  test::ScriptedAnswer cut = success("never whole");
  cut.chunks.pop_back();
  cut.error = upstream::TransferResult::Error::dropped;
  cut.message = "Connection reset by peer";
  send.transport.script(cut);
  CHECK(send.run() == static_cast<int>(util::ExitCode::upstream_error));
  CHECK(send.transport.sent().size() == 1);
  CHECK(send.exchange.successes == 0);
  CHECK(send.marks_of(0).unmarked());
  CHECK(send.said_contains("bridge: the connection to https://api.example.test failed mid-answer: "
                           "Connection reset by peer\n"));
}
