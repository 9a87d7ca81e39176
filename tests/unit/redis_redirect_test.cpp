#include "state/redis/redis_redirect.hpp"

#include <doctest/doctest.h>

#include <string>

using state::parse_redirect;
using state::Redirect;
using state::redirect_target;
using state::RedisTarget;

namespace {

Redirect redirect(const std::string& text) {
  auto parsed = parse_redirect(text);
  REQUIRE_MESSAGE(parsed, text << ": " << parsed.error());
  REQUIRE_MESSAGE(parsed->has_value(), text << " is not a redirection");
  return **parsed;
}

std::string malformed(const std::string& text) {
  auto parsed = parse_redirect(text);
  REQUIRE_MESSAGE(!parsed, text << " was accepted");
  return parsed.error();
}

RedisTarget tcp(const std::string& host, bool tls = false) {
  RedisTarget target;
  target.host = host;
  target.port = 7000;
  target.tls = tls;
  target.password = "s3cret";
  target.user = "fleet";
  target.db = 0;
  target.prefix = "team:";
  target.timeout = util::Millis(1234);
  return target;
}

std::string refused(const RedisTarget& from, const std::string& text) {
  auto to = redirect_target(from, redirect(text));
  REQUIRE_MESSAGE(!to, text << " from " << from.host << " was followed");
  return to.error();
}

} // namespace

TEST_CASE("MOVED and ASK are read; every other error is not a redirection") {
  auto moved = redirect("MOVED 3999 127.0.0.1:6381");
  CHECK(moved.kind == Redirect::Kind::moved);
  CHECK(moved.slot == 3999);
  CHECK(moved.host == "127.0.0.1");
  CHECK(moved.port == 6381);
  auto ask = redirect("ASK 16383 10.0.0.2:7002");
  CHECK(ask.kind == Redirect::Kind::ask);
  CHECK(ask.slot == 16383);
  CHECK(ask.port == 7002);
  // IPv6, bare (as Redis writes it) or in brackets; an empty host is the
  // node that answered.
  CHECK(redirect("MOVED 0 ::1:7001").host == "::1");
  CHECK(redirect("MOVED 0 [::1]:7001").host == "::1");
  CHECK(redirect("MOVED 5 :7001").host.empty());
  for (std::string other : {"TRYAGAIN Multiple keys request during rehashing of slot",
                            "CLUSTERDOWN The cluster is down", "NOSCRIPT No matching script",
                            "ERR unknown command", "MOVEDX 1 a:1", "ASKING", ""}) {
    auto parsed = parse_redirect(other);
    REQUIRE(parsed);
    CHECK_FALSE(parsed->has_value());
  }
}

TEST_CASE("a hostile redirection is refused, not guessed at") {
  CHECK(malformed("MOVED 3999").find("no node") != std::string::npos);
  CHECK(malformed("MOVED 16384 127.0.0.1:1").find("slot") != std::string::npos);
  CHECK(malformed("MOVED -1 127.0.0.1:1").find("slot") != std::string::npos);
  CHECK(malformed("MOVED 99999999999999999999 127.0.0.1:1").find("slot") != std::string::npos);
  CHECK(malformed("MOVED 1 127.0.0.1").find("port") != std::string::npos);
  CHECK(malformed("MOVED 1 127.0.0.1:0").find("port") != std::string::npos);
  CHECK(malformed("MOVED 1 127.0.0.1:65536").find("port") != std::string::npos);
  CHECK(malformed("MOVED 1 127.0.0.1:4294967297").find("port") != std::string::npos);
  CHECK(malformed("MOVED 1 127.0.0.1:+80").find("port") != std::string::npos);
  CHECK(malformed("ASK 1 127.0.0.1:80 extra").find("more words") != std::string::npos);
  CHECK(malformed("MOVED 1 " + std::string(300, 'a') + ":80").find("longer") != std::string::npos);
  CHECK(malformed("MOVED 1 evil\x1b[2J:80").find("control") != std::string::npos);
  CHECK(malformed("MOVED 1 ho\tst:80").find("control") != std::string::npos);
  CHECK(malformed(std::string("MOVED 1 a\0b:80", 14)).find("control") != std::string::npos);
}

TEST_CASE("a followed redirection keeps everything the URL says but the host and port") {
  auto to = redirect_target(tcp("127.0.0.1"), redirect("MOVED 3999 127.0.0.2:7003"));
  REQUIRE_MESSAGE(to, to.error());
  CHECK(to->host == "127.0.0.2");
  CHECK(to->port == 7003);
  CHECK(to->password == std::optional<std::string>("s3cret"));
  CHECK(to->user == "fleet");
  CHECK(to->prefix == "team:");
  CHECK(to->timeout == util::Millis(1234));
  CHECK_FALSE(to->tls);
  // The same host as the node that answered, when the reply names none.
  auto same = redirect_target(tcp("localhost"), redirect("MOVED 1 :7009"));
  REQUIRE_MESSAGE(same, same.error());
  CHECK(same->host == "localhost");
  CHECK(same->port == 7009);
  // Between machines, any address; over TLS a host name too, which the
  // certificate must then name.
  CHECK(static_cast<bool>(redirect_target(tcp("10.1.2.3"), redirect("MOVED 1 10.1.2.4:6379"))));
  CHECK(static_cast<bool>(
      redirect_target(tcp("redis.internal"), redirect("MOVED 1 2001:db8::7:6379"))));
  auto named = redirect_target(tcp("redis.internal", true), redirect("ASK 1 node-2.internal:6380"));
  REQUIRE_MESSAGE(named, named.error());
  CHECK(named->tls);
  CHECK(named->host == "node-2.internal");
}

TEST_CASE("a redirection never reaches what the URL could not") {
  // Loopback stays loopback, both ways.
  CHECK(refused(tcp("10.1.2.3"), "MOVED 1 127.0.0.1:22").find("loopback") != std::string::npos);
  CHECK(refused(tcp("10.1.2.3"), "MOVED 1 ::1:22").find("loopback") != std::string::npos);
  CHECK(refused(tcp("10.1.2.3"), "MOVED 1 ::ffff:127.0.0.1:22").find("loopback") !=
        std::string::npos);
  CHECK(refused(tcp("127.0.0.1"), "MOVED 1 10.1.2.3:6379").find("loopback") != std::string::npos);
  CHECK(refused(tcp("localhost"), "ASK 1 192.0.2.1:6379").find("loopback") != std::string::npos);
  // A name without TLS could resolve to anything, loopback included.
  CHECK(refused(tcp("10.1.2.3"), "MOVED 1 localhost:6379").find("TLS") != std::string::npos);
  CHECK(refused(tcp("10.1.2.3"), "MOVED 1 evil.example:6379").find("TLS") != std::string::npos);
  CHECK(refused(tcp("10.1.2.3", true), "MOVED 1 bad_name!:6379").find("host name") !=
        std::string::npos);
  CHECK(refused(tcp("10.1.2.3"), "MOVED 1 0.0.0.0:6379").find("unspecified") != std::string::npos);
  CHECK(refused(tcp("127.0.0.1"), "MOVED 1 :::6379").find("unspecified") != std::string::npos);
  // A unix socket's trust covers that socket only.
  RedisTarget socket;
  socket.transport = RedisTarget::Transport::unix_socket;
  socket.socket_path = "/run/redis/redis.sock";
  CHECK(refused(socket, "MOVED 1 127.0.0.1:6379").find("unix socket") != std::string::npos);
  // The message names the redirection, never the password.
  auto message = refused(tcp("10.1.2.3"), "MOVED 1 127.0.0.1:22");
  CHECK(message.find("MOVED to 127.0.0.1:22") != std::string::npos);
  CHECK(message.find("s3cret") == std::string::npos);
}
