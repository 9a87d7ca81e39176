#include "state/fallback_store.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

// The fallback store against servers that cannot serve: a closed port and a
// port that accepts connections but never answers (a hung server). Working
// Redis servers are exercised by the integration tests (tests/integration/
// redis_*.sh), which start a real redis-server.

using test::at;
using test::ms;

namespace {

const keys::Key k_alpha = keys::make_key("alpha", "sk-ant-api03-SECRET-alpha-000000");
const util::TimePoint k_t0 = at("2026-11-26T03:00:00Z");

// A loopback TCP socket bound to a free port; listening or not.
class LoopbackPort {
public:
  explicit LoopbackPort(bool listening) {
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(m_fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    m_port = ntohs(addr.sin_port);
    if (listening) {
      REQUIRE(::listen(m_fd, 16) == 0); // never accepted: the handshake completes, no answer
    }
  }
  ~LoopbackPort() { ::close(m_fd); }
  LoopbackPort(const LoopbackPort&) = delete;
  LoopbackPort& operator=(const LoopbackPort&) = delete;
  int port() const { return m_port; }

private:
  int m_fd = -1;
  int m_port = 0;
};

state::RedisTarget target_at(int port, util::Millis timeout) {
  state::RedisTarget target;
  target.host = "127.0.0.1";
  target.port = port;
  target.password = "hunter2-not-shown";
  target.password_in_url = true;
  target.timeout = timeout;
  return target;
}

struct Scenario {
  util::ManualClock clock{k_t0};
  pool::MemoryMarkStore local;
  std::vector<std::string> warnings;
};

void check_falls_back(state::RedisStore& redis, Scenario& s, const std::string& what) {
  state::FallbackStore store(redis, s.local, "/somewhere/state.json",
                             [&](const std::string& message) { s.warnings.push_back(message); });
  s.local.record(k_alpha, pool::KeyMark::disabled(k_t0, 401, "authentication_error"));

  auto marks = store.load();
  CHECK(store.using_fallback());
  REQUIRE(marks.count(k_alpha.fingerprint) == 1);
  CHECK(pool::is_disabled(*marks.at(k_alpha.fingerprint).key_wide));
  REQUIRE(s.warnings.size() == 1);
  const auto& warning = s.warnings.front();
  CHECK_MESSAGE(warning.find(redis.target().display()) != std::string::npos, warning);
  CHECK_MESSAGE(warning.find(what) != std::string::npos, warning);
  CHECK(warning.find("/somewhere/state.json") != std::string::npos);
  CHECK(warning.find("hunter2") == std::string::npos);
  CHECK(warning.find("gave up after") != std::string::npos);

  // Later loads and records go to the local store without a second try or
  // a second warning.
  keys::Key beta = keys::make_key("beta", "sk-ant-api03-SECRET-beta-111111");
  store.record(beta, pool::KeyMark::cooling(k_t0, ms(30'000), 429, "rate_limit_error"));
  CHECK(s.local.marks().count(beta.fingerprint) == 1);
  store.load();
  CHECK(s.warnings.size() == 1);
}

} // namespace

TEST_CASE("a closed port: one warning, then the local store") {
  int port = 0;
  {
    LoopbackPort closed(false);
    port = closed.port();
  } // closed now: connecting is refused
  Scenario s;
  state::RedisStore redis(target_at(port, ms(250)), {k_alpha.fingerprint}, s.clock);
  check_falls_back(redis, s, "cannot connect");
}

TEST_CASE("a server that never answers: bounded by the timeout") {
  LoopbackPort hung(true);
  Scenario s;
  state::RedisStore redis(target_at(hung.port(), ms(100)), {k_alpha.fingerprint}, s.clock);
  auto start = std::chrono::steady_clock::now();
  check_falls_back(redis, s, "no answer within 100 ms");
  // One timeout for the whole invocation, not one per call. The bound is
  // generous: only a second timed-out call (or none at all) matters.
  auto spent = std::chrono::steady_clock::now() - start;
  CHECK(spent >= std::chrono::milliseconds(100));
  CHECK(spent < std::chrono::milliseconds(5000));
}

TEST_CASE("a record that fails goes to the local store at once") {
  int port = 0;
  {
    LoopbackPort closed(false);
    port = closed.port();
  }
  Scenario s;
  state::RedisStore redis(target_at(port, ms(250)), {k_alpha.fingerprint}, s.clock);
  state::FallbackStore store(redis, s.local, "/x/state.json",
                             [&](const std::string& message) { s.warnings.push_back(message); });
  store.record(k_alpha, pool::KeyMark::cooling(k_t0, ms(5000), 429, "rate_limit_error"));
  CHECK(s.local.marks().count(k_alpha.fingerprint) == 1);
  CHECK(s.warnings.size() == 1);
}

TEST_CASE("a failed per-model record and limits reach the local store in their scope") {
  int port = 0;
  {
    LoopbackPort closed(false);
    port = closed.port();
  }
  Scenario s;
  state::RedisStore redis(target_at(port, ms(250)), {k_alpha.fingerprint}, s.clock);
  state::FallbackStore store(redis, s.local, "/x/state.json",
                             [&](const std::string& message) { s.warnings.push_back(message); });
  store.record(k_alpha, pool::Scope::of_model("claude-opus-4-1"),
               pool::KeyMark::cooling(k_t0, ms(5000), 429, "rate_limit_error"));
  pool::ModelLimits limits{k_t0, {limits::LimitReading{"requests", 0, 50, std::nullopt}}};
  store.record_limits(k_alpha, "claude-opus-4-1", limits);
  REQUIRE(s.local.marks().count(k_alpha.fingerprint) == 1);
  const auto& marks = s.local.marks().at(k_alpha.fingerprint);
  CHECK_FALSE(marks.key_wide);
  REQUIRE(marks.models.count("claude-opus-4-1") == 1);
  CHECK(marks.models.at("claude-opus-4-1").status == 429);
  REQUIRE(marks.limits.count("claude-opus-4-1") == 1);
  CHECK(marks.limits.at("claude-opus-4-1") == limits);
  CHECK(s.warnings.size() == 1);
}

TEST_CASE("Redis scope names") {
  CHECK(state::RedisStore::scope_name(pool::Scope::every_model()) == "key");
  CHECK(state::RedisStore::scope_name(pool::Scope::of_model("claude-opus-4-1")) ==
        "model:claude-opus-4-1");
}
