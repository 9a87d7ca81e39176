#include "state/redis/redis_url.hpp"

#include "util/strings.hpp"

#include <charconv>
#include <fmt/format.h>

namespace state {

namespace {

using Result = util::Expected<RedisTarget>;

Result failure(std::string_view url_without_secret, const std::string& why) {
  return Result::failure(fmt::format("--state {}: {}", url_without_secret, why));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  c = static_cast<char>(c | 0x20);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// %XX decoding as in RFC 3986; a stray '%' is an error rather than kept, so
// that a password is never silently different from what was meant.
std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) {
      return std::nullopt;
    }
    int high = hex_value(text[i + 1]);
    int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) {
      return std::nullopt;
    }
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

std::optional<long> parse_number(std::string_view text, long low, long high) {
  long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < low ||
      value > high) {
    return std::nullopt;
  }
  return value;
}

// The URL with the password replaced, for messages about a URL that did not
// parse (we cannot yet know where the password is, so everything between
// "://" and the last '@' of the authority goes).
std::string redact(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::string(url);
  }
  auto authority_begin = scheme_end + 3;
  auto authority_end = url.find_first_of("/?#", authority_begin);
  auto authority = url.substr(authority_begin, authority_end == std::string_view::npos
                                                   ? std::string_view::npos
                                                   : authority_end - authority_begin);
  auto at = authority.rfind('@');
  if (at == std::string_view::npos) {
    return std::string(url);
  }
  return fmt::format("{}***@{}", url.substr(0, authority_begin),
                     url.substr(authority_begin + at + 1));
}

bool valid_prefix(std::string_view prefix) {
  for (char c : prefix) {
    // Braces would move the Cluster hash tag; blanks and control characters
    // make keys that nobody can type back into redis-cli.
    if (c == '{' || c == '}' || static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return false;
    }
  }
  return true;
}

// Fills `target` from the query string: prefix, timeout, db.
std::optional<std::string> apply_query(std::string_view query, RedisTarget& target) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return fmt::format("query parameter '{}' has no value", pair);
    }
    auto name = pair.substr(0, eq);
    auto value = percent_decode(pair.substr(eq + 1));
    if (!value) {
      return fmt::format("query parameter '{}': bad %-escape", name);
    }
    if (name == "prefix") {
      if (!valid_prefix(*value)) {
        return "prefix: braces, blanks and control characters are not allowed";
      }
      target.prefix = *value;
    } else if (name == "timeout") {
      auto ms = parse_number(*value, 1, 600'000);
      if (!ms) {
        return fmt::format("timeout '{}': expected milliseconds, 1 to 600000", *value);
      }
      target.timeout = util::Millis{*ms};
    } else if (name == "db") {
      auto db = parse_number(*value, 0, 1'000'000);
      if (!db) {
        return fmt::format("db '{}': expected a database number", *value);
      }
      target.db = static_cast<int>(*db);
    } else {
      return fmt::format("unknown query parameter '{}' (known: prefix, timeout, db)", name);
    }
  }
  return std::nullopt;
}

// USER:PASSWORD, USER, :PASSWORD (the redis-py reading of the user part).
std::optional<std::string> apply_userinfo(std::string_view userinfo, RedisTarget& target) {
  auto colon = userinfo.find(':');
  auto user = percent_decode(userinfo.substr(0, colon));
  if (!user) {
    return "bad %-escape in the user name";
  }
  target.user = *user;
  if (colon != std::string_view::npos) {
    auto password = percent_decode(userinfo.substr(colon + 1));
    if (!password) {
      return "bad %-escape in the password";
    }
    target.password = *password;
    target.password_in_url = true;
  }
  return std::nullopt;
}

std::optional<std::string> apply_host_port(std::string_view hostport, RedisTarget& target) {
  std::string_view host = hostport;
  std::string_view port;
  if (!hostport.empty() && hostport.front() == '[') { // [IPv6]:port
    auto close = hostport.find(']');
    if (close == std::string_view::npos) {
      return "unclosed '[' in the host";
    }
    host = hostport.substr(1, close - 1);
    auto rest = hostport.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      return "unexpected text after ']'";
    }
    port = rest.empty() ? rest : rest.substr(1);
    if (rest.size() == 1) {
      return "empty port";
    }
  } else if (auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
    if (port.empty()) {
      return "empty port";
    }
  }
  if (host.find_first_of(":/@ ") != std::string_view::npos && hostport.front() != '[') {
    return fmt::format("bad host '{}'", host);
  }
  target.host = host.empty() ? "localhost" : std::string(host);
  if (!port.empty()) {
    auto number = parse_number(port, 1, 65535);
    if (!number) {
      return fmt::format("bad port '{}'", port);
    }
    target.port = static_cast<int>(*number);
  }
  return std::nullopt;
}

} // namespace

bool redis_tls_supported() {
#ifdef BRIDGE_HAVE_HIREDIS_SSL
  return true;
#else
  return false;
#endif
}

util::Expected<RedisTarget> parse_redis_url(std::string_view text,
                                            std::optional<std::string> env_password) {
  std::string shown = redact(text);
  auto sep = text.find("://");
  if (sep == std::string_view::npos) {
    return failure(shown, "expected redis://HOST[:PORT][/DB] or unix:///PATH/TO/redis.sock");
  }
  std::string scheme = util::to_lower(text.substr(0, sep));
  RedisTarget target;
  if (scheme == "unix") {
    target.transport = RedisTarget::Transport::unix_socket;
  } else if (scheme == "rediss") {
    if (!redis_tls_supported()) {
      return failure(shown,
                     "this bridge was built without TLS support for Redis (hiredis_ssl); use a "
                     "unix socket (unix:///PATH/TO/redis.sock) or a TLS tunnel such as stunnel "
                     "or ssh -L to a local port, and redis:// to that");
    }
    target.tls = true;
  } else if (scheme != "redis") {
    return failure(shown, fmt::format("unknown scheme '{}' (expected redis://, rediss:// or "
                                      "unix://; a file path has no scheme)",
                                      scheme));
  }
  auto rest = text.substr(sep + 3);
  if (auto hash = rest.find('#'); hash != std::string_view::npos) {
    return failure(shown, "a '#' fragment has no meaning here");
  }
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  auto path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  std::string_view hostport = authority;
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    if (auto problem = apply_userinfo(authority.substr(0, at), target)) {
      return failure(shown, *problem);
    }
    hostport = authority.substr(at + 1);
  }
  if (target.transport == RedisTarget::Transport::unix_socket) {
    if (!hostport.empty()) {
      return failure(shown,
                     "a unix:// URL names a socket path, not a host: unix:///PATH/TO/redis.sock");
    }
    if (path.size() < 2) {
      return failure(shown, "no socket path: expected unix:///PATH/TO/redis.sock");
    }
    auto decoded = percent_decode(path);
    if (!decoded) {
      return failure(shown, "bad %-escape in the socket path");
    }
    target.socket_path = *decoded;
  } else {
    if (auto problem = apply_host_port(hostport, target)) {
      return failure(shown, *problem);
    }
    if (path.size() > 1) {
      auto db = parse_number(path.substr(1), 0, 1'000'000);
      if (!db) {
        return failure(shown, fmt::format("bad database '{}': expected /N", path.substr(1)));
      }
      target.db = static_cast<int>(*db);
    }
  }
  if (auto problem = apply_query(query, target)) {
    return failure(shown, *problem);
  }
  if (!target.password && env_password) {
    target.password = std::move(env_password);
  }
  return target;
}

std::string RedisTarget::display() const {
  std::string user_part = user.empty() ? std::string() : user + "@";
  if (transport == Transport::unix_socket) {
    return fmt::format("unix://{}{}?db={}", user_part, socket_path, db);
  }
  bool v6 = host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}{}:{}/{}", tls ? "rediss" : "redis", user_part, v6 ? "[" : "",
                     host, v6 ? "]" : "", port, db);
}

} // namespace state
