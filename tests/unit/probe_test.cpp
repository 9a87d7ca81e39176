// The probes' answers are tested through `bridge keys check` against the mock
// upstream (tests/integration/keys_check*.sh); here, what needs no server.
#include "upstream/probe.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>

namespace {
// A loopback port that refuses connections: bound, never listened on.
struct ClosedPort {
  ClosedPort() {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(m_fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(m_fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port = ntohs(address.sin_port);
  }
  ~ClosedPort() { ::close(m_fd); }
  int port = 0;

private:
  int m_fd = -1;
};
} // namespace

TEST_CASE("probe_all: one result per request, in order; a refused connection is unreachable") {
  ClosedPort closed;
  std::string url = "http://127.0.0.1:" + std::to_string(closed.port) + "/v1/models?limit=1";
  auto get = [&](std::vector<std::string> headers) {
    return upstream::HttpRequest{"GET", url, std::move(headers), {}, std::nullopt};
  };
  // A POST (Bedrock's probe) goes the same way.
  upstream::HttpRequest post{"POST", url, {"authorization: Bearer three"}, "{}", std::nullopt};
  auto results =
      upstream::probe_all({get({"x-api-key: one"}), get({"x-api-key: two"}), get({}), post}, {});
  REQUIRE(results.size() == 4);
  for (const auto& result : results) {
    CHECK(result.status == 0);
    CHECK(result.transfer.error == upstream::TransferResult::Error::connect);
    CHECK(result.unreachable());
    CHECK_FALSE(result.transfer.message.empty());
    CHECK(result.transfer.message.find("one") == std::string::npos); // never a header value
  }
  CHECK(upstream::probe_all({}, {}).empty());
}

TEST_CASE("probe_all: only http and https") {
  auto results = upstream::probe_all({{"GET", "file:///etc/passwd", {}, {}, std::nullopt}}, {});
  REQUIRE(results.size() == 1);
  CHECK(results[0].status == 0);
  CHECK(results[0].error_body.empty());
  CHECK_FALSE(results[0].unreachable());
}
