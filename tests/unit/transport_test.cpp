// Only the URL checks of the curl policy live here; the transport's network
// behaviour is tested by the integration tests against the mock upstream on
// loopback.
#include "upstream/curl_policy.hpp"

#include "test_support.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <string>

using upstream::checked_base_url;

TEST_CASE("checked_base_url: https anywhere, http only to loopback") {
  struct Row {
    const char* url;
    const char* expected;
  };
  for (auto row : {
           Row{"https://api.anthropic.com", "https://api.anthropic.com"},
           Row{"https://api.anthropic.com/", "https://api.anthropic.com"},
           Row{"https://gateway.example.com:8443/anthropic//",
               "https://gateway.example.com:8443/anthropic"},
           Row{"HTTPS://API.ANTHROPIC.COM", "HTTPS://API.ANTHROPIC.COM"},
           Row{"http://127.0.0.1", "http://127.0.0.1"},
           Row{"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
           Row{"http://127.1.2.3:9", "http://127.1.2.3:9"},
           Row{"http://localhost", "http://localhost"},
           Row{"http://LocalHost:3000", "http://LocalHost:3000"},
           Row{"http://[::1]", "http://[::1]"},
           Row{"http://[::1]:8080/v0/", "http://[::1]:8080/v0"},
       }) {
    CAPTURE(std::string(row.url));
    std::string checked;
    CHECK_NOTHROW(checked = checked_base_url(row.url));
    CHECK(checked == row.expected);
  }
}

TEST_CASE("checked_base_url: plain http to a host that is not loopback is refused (exit 78)") {
  for (auto url : {"http://example.com", "http://api.anthropic.com", "http://10.0.0.1",
                   "http://192.168.1.1:8080", "http://0.0.0.0", "http://127.0.0.1.nip.io",
                   "http://127.0.0.1.2", "http://localhost.example.com", "http://[::2]",
                   "http://[::ffff:10.0.0.1]"}) {
    CAPTURE(std::string(url));
    std::string message;
    CHECK_BRIDGE_ERROR(checked_base_url(url), util::ExitCode::config, message);
    CHECK(message.find("https") != std::string::npos); // it says what to use instead
  }
}

TEST_CASE("checked_base_url: other schemes and garbage are refused (exit 78)") {
  for (auto url : {"file:///etc/passwd", "ftp://example.com", "gopher://127.0.0.1",
                   "ws://localhost", "garbage", "", "api.anthropic.com", "://nothing",
                   "https//missing-colon", "http://", "https://"}) {
    CAPTURE(std::string(url));
    std::string message;
    CHECK_BRIDGE_ERROR(checked_base_url(url), util::ExitCode::config, message);
  }
}

TEST_CASE("checked_base_url: the error never repeats credentials embedded in the URL") {
  // A URL with user info is still checked by its host; only the host is named.
  std::string message;
  CHECK_BRIDGE_ERROR(checked_base_url("http://user:sk-ant-SECRET@example.com"),
                     util::ExitCode::config, message);
  CHECK(message.find("sk-ant-SECRET") == std::string::npos);
}

TEST_CASE(
    "is_loopback_host: literal loopback addresses and localhost only, parsed with inet_pton") {
  using upstream::is_loopback_host;
  for (auto host : {"127.0.0.1", "127.1.2.3", "127.255.255.255", "localhost", "LOCALHOST", "[::1]",
                    "::1", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]"}) {
    CAPTURE(std::string(host));
    CHECK(is_loopback_host(host));
  }
  // Dotted digits that are not an address are host names: a resolver could
  // send them anywhere.
  for (auto host :
       {"127.0.0.256", "127.1.2.3456", "127.0.0.1.2", "127.0.0", "127.", "127..0.1", "127.0.0.01x",
        "128.0.0.1", "0.0.0.0", "10.0.0.1", "[::2]", "[::ffff:10.0.0.1]", "localhost.",
        "localhost.example.com", "127.0.0.1.nip.io", "", "[]", "[127.0.0.1]"}) {
    CAPTURE(std::string(host));
    CHECK_FALSE(is_loopback_host(host));
  }
}

TEST_CASE("checked_base_url: dotted digits that are not an address are not loopback (exit 78)") {
  for (auto url : {"http://127.0.0.256", "http://127.1.2.3456", "http://127.0.0.256:8080/"}) {
    CAPTURE(std::string(url));
    std::string message;
    CHECK_BRIDGE_ERROR(checked_base_url(url), util::ExitCode::config, message);
  }
}
