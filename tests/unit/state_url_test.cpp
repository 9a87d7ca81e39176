#include "state/state_location.hpp"

#include <doctest/doctest.h>

#include <string>

using state::parse_state_location;
using state::RedisTarget;

namespace {

RedisTarget redis(const std::string& url, std::optional<std::string> env_password = std::nullopt) {
  auto location = parse_state_location(url, std::move(env_password));
  REQUIRE_MESSAGE(location, url << ": " << location.error());
  REQUIRE(location->redis);
  return *location->redis;
}

std::string problem(const std::string& url) {
  auto location = parse_state_location(url, std::nullopt);
  REQUIRE_MESSAGE(!location, url << " was accepted");
  return location.error();
}

} // namespace

TEST_CASE("a plain path is a file, whatever it holds") {
  for (std::string path : {"/tmp/state.json", "state.json", "./redis.json", "dir:with:colons/x",
                           "relative/redis/state.json", "C:/odd"}) {
    auto location = parse_state_location(path, std::nullopt);
    REQUIRE(location);
    CHECK_FALSE(location->redis);
    CHECK(location->file == path);
  }
  CHECK_FALSE(parse_state_location("", std::nullopt));
}

TEST_CASE("redis:// with defaults") {
  auto t = redis("redis://cache.internal");
  CHECK(t.transport == RedisTarget::Transport::tcp);
  CHECK(t.host == "cache.internal");
  CHECK(t.port == 6379);
  CHECK(t.db == 0);
  CHECK(t.prefix == "bridge:");
  CHECK(t.timeout.count() == 250);
  CHECK(t.user.empty());
  CHECK_FALSE(t.password);
  CHECK_FALSE(t.tls);
  CHECK(t.display() == "redis://cache.internal:6379/0");
  CHECK(redis("redis://").host == "localhost");
  CHECK(redis("REDIS://h:1").port == 1);
}

TEST_CASE("redis:// with every part") {
  auto t = redis("redis://ci:s%40cret%3Ax@10.0.0.5:6380/3?prefix=fleet7:&timeout=900");
  CHECK(t.user == "ci");
  REQUIRE(t.password);
  CHECK(*t.password == "s@cret:x");
  CHECK(t.password_in_url);
  CHECK(t.host == "10.0.0.5");
  CHECK(t.port == 6380);
  CHECK(t.db == 3);
  CHECK(t.prefix == "fleet7:");
  CHECK(t.timeout.count() == 900);
  // The display never holds the password.
  CHECK(t.display() == "redis://ci@10.0.0.5:6380/3");
}

TEST_CASE("the user part reads as redis-py reads it") {
  auto only_password = redis("redis://:pw@h");
  CHECK(only_password.user.empty());
  CHECK(*only_password.password == "pw");
  auto only_user = redis("redis://alice@h");
  CHECK(only_user.user == "alice");
  CHECK_FALSE(only_user.password);
  // A password may hold '@' (the last one ends the user part) and ':'.
  auto odd = redis("redis://:a@b:c@h:7");
  CHECK(*odd.password == "a@b:c");
  CHECK(odd.host == "h");
  CHECK(odd.port == 7);
}

TEST_CASE("REDISCLI_AUTH gives the password when the URL has none") {
  auto from_env = redis("redis://h", std::string("envpw"));
  CHECK(*from_env.password == "envpw");
  CHECK_FALSE(from_env.password_in_url);
  auto url_wins = redis("redis://:urlpw@h", std::string("envpw"));
  CHECK(*url_wins.password == "urlpw");
  CHECK(url_wins.password_in_url);
}

TEST_CASE("IPv6 hosts in brackets") {
  auto t = redis("redis://[::1]:7000/2");
  CHECK(t.host == "::1");
  CHECK(t.port == 7000);
  CHECK(t.db == 2);
  CHECK(t.display() == "redis://[::1]:7000/2");
  CHECK(redis("redis://[fe80::1]").port == 6379);
}

TEST_CASE("unix:// sockets") {
  auto t = redis("unix:///run/redis/redis.sock");
  CHECK(t.transport == RedisTarget::Transport::unix_socket);
  CHECK(t.socket_path == "/run/redis/redis.sock");
  CHECK(t.db == 0);
  auto full = redis("unix://bob:pw@/var/run/r%20s.sock?db=4&prefix=p:&timeout=50");
  CHECK(full.user == "bob");
  CHECK(*full.password == "pw");
  CHECK(full.socket_path == "/var/run/r s.sock");
  CHECK(full.db == 4);
  CHECK(full.prefix == "p:");
  CHECK(full.timeout.count() == 50);
  CHECK(full.display() == "unix://bob@/var/run/r s.sock?db=4");
  CHECK(redis("unix://:pw@/x.sock").password_in_url);
}

TEST_CASE("malformed URLs are errors, never file paths") {
  CHECK(problem("redis://h:notaport").find("bad port") != std::string::npos);
  CHECK(problem("redis://h:0").find("bad port") != std::string::npos);
  CHECK(problem("redis://h:65536").find("bad port") != std::string::npos);
  CHECK(problem("redis://h:").find("empty port") != std::string::npos);
  CHECK(problem("redis://h/x").find("bad database") != std::string::npos);
  CHECK(problem("redis://h/-1").find("bad database") != std::string::npos);
  CHECK(problem("redis://h?color=blue").find("unknown query parameter 'color'") !=
        std::string::npos);
  CHECK(problem("redis://h?timeout=0").find("timeout") != std::string::npos);
  CHECK(problem("redis://h?timeout=fast").find("timeout") != std::string::npos);
  CHECK(problem("redis://h?prefix=a{b}").find("prefix") != std::string::npos);
  CHECK(problem("redis://h?prefix").find("no value") != std::string::npos);
  CHECK(problem("redis://h#frag").find("fragment") != std::string::npos);
  CHECK(problem("redis://[::1").find("unclosed") != std::string::npos);
  CHECK(problem("redis://:p%zz@h").find("%-escape") != std::string::npos);
  CHECK(problem("unix://host/x.sock").find("socket path") != std::string::npos);
  CHECK(problem("unix://").find("no socket path") != std::string::npos);
  CHECK(problem("http://h/state").find("unknown scheme 'http'") != std::string::npos);
  CHECK(problem("redis:/h").find("expected redis://") != std::string::npos);
  CHECK(problem("unix:/tmp/x.sock").find("expected") != std::string::npos);
}

TEST_CASE("messages about a bad URL never hold its password") {
  for (std::string url : {"redis://:hunter2@h:notaport", "redis://u:hunter2@h/x",
                          "unix://:hunter2@host/x.sock", "redis://:hunter2@h?bad=1"}) {
    auto message = problem(url);
    CHECK_MESSAGE(message.find("hunter2") == std::string::npos, message);
    CHECK(message.find("***@") != std::string::npos);
  }
}

TEST_CASE("rediss:// needs TLS support in the build") {
  auto location = parse_state_location("rediss://:pw@h:6380", std::nullopt);
  if (state::redis_tls_supported()) {
    REQUIRE(location);
    CHECK(location->redis->tls);
    CHECK(location->redis->display() == "rediss://h:6380/0");
  } else {
    REQUIRE_FALSE(location);
    CHECK(location.error().find("without TLS support") != std::string::npos);
    CHECK(location.error().find("unix socket") != std::string::npos);
    CHECK(location.error().find("stunnel") != std::string::npos);
    CHECK(location.error().find("pw") == std::string::npos);
  }
}
