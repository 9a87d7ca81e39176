#include "state/redis/redis_url.hpp"

#include "util/strings.hpp"

#include <charconv>
#include <fmt/format.h>

namespace state {

namespace {

using Result = util::Expected<RedisTarget>;

Result failure(std::string_view url_without_secret, const std::string& why) {
  return Result::failure(fmt::format("{}: {}", url_without_secret, why));
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

// Where a password may be in `url`, for messages: everything from the end
// of the scheme ("://", or ":" alone) to the last '@'. A password may hold
// '/', '?', '#' or '@' when it was not %-encoded, so the authority cannot be
// told from the rest before the URL parses, and an '@' further on (in the
// query) only widens what is hidden. Empty when there is no '@'.
struct Secret {
  std::size_t begin = 0;
  std::size_t end = 0;

  explicit Secret(std::string_view url) {
    auto scheme_end = url.find("://");
    std::size_t start = scheme_end != std::string_view::npos ? scheme_end + 3 : url.find(':');
    if (start == std::string_view::npos) {
      return;
    }
    start += scheme_end != std::string_view::npos ? 0 : 1;
    auto at = url.rfind('@');
    if (at != std::string_view::npos && at >= start) {
      begin = start;
      end = at;
    }
  }
  bool empty() const { return begin == end; }
};

// Messages about a URL name it and quote its parts; never what may be the
// password. Parts are views into the URL's text, so where they lie tells.
class UrlText {
public:
  explicit UrlText(std::string_view url) : m_url(url), m_secret(url) {}

  // The URL with what may be a password replaced by "***".
  std::string redacted() const {
    if (m_secret.empty()) {
      return std::string(m_url);
    }
    return fmt::format("{}***{}", m_url.substr(0, m_secret.begin), m_url.substr(m_secret.end));
  }
  // 'part', or a word saying it is not shown when it overlaps the secret.
  std::string quote(std::string_view part) const {
    auto from = static_cast<std::size_t>(part.data() - m_url.data());
    bool inside = from <= m_url.size() && !m_secret.empty() && from < m_secret.end &&
                  from + part.size() > m_secret.begin;
    return inside ? std::string("(not shown: it may be part of the password)")
                  : fmt::format("'{}'", part);
  }
  // Whether the password, if any, ends after the authority would: it holds
  // '/', '?' or '#' not %-encoded, which splits it.
  bool password_splits() const {
    if (m_secret.empty()) {
      return false;
    }
    auto authority_end = m_url.find_first_of("/?#", m_secret.begin);
    return authority_end != std::string_view::npos && authority_end < m_secret.end;
  }

private:
  std::string_view m_url;
  Secret m_secret;
};

// The failure of a URL whose password may be what broke it.
Result failure_of(const UrlText& url, const std::string& why) {
  if (!url.password_splits()) {
    return failure(url.redacted(), why);
  }
  return failure(url.redacted(),
                 why + " (a password holding '/', '?', '#' or '@' must be %-encoded in the URL: "
                       "%2F, %3F, %23, %40; or set it in REDISCLI_AUTH)");
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
std::optional<std::string> apply_query(std::string_view query, RedisTarget& target,
                                       const UrlText& url) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return fmt::format("query parameter {} has no value", url.quote(pair));
    }
    auto name = pair.substr(0, eq);
    auto value = percent_decode(pair.substr(eq + 1));
    if (!value) {
      return fmt::format("query parameter {}: bad %-escape", url.quote(name));
    }
    if (name == "prefix") {
      if (!valid_prefix(*value)) {
        return "prefix: braces, blanks and control characters are not allowed";
      }
      target.prefix = *value;
    } else if (name == "timeout") {
      auto ms = parse_number(*value, 1, 600'000);
      if (!ms) {
        return fmt::format("timeout {}: expected milliseconds, 1 to 600000",
                           url.quote(pair.substr(eq + 1)));
      }
      target.timeout = util::Millis{*ms};
    } else if (name == "db") {
      auto db = parse_number(*value, 0, 1'000'000);
      if (!db) {
        return fmt::format("db {}: expected a database number", url.quote(pair.substr(eq + 1)));
      }
      target.db = static_cast<int>(*db);
    } else {
      return fmt::format("unknown query parameter {} (known: prefix, timeout, db)",
                         url.quote(name));
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

std::optional<std::string> apply_host_port(std::string_view hostport, RedisTarget& target,
                                           const UrlText& url) {
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
    return fmt::format("bad host {}", url.quote(host));
  }
  target.host = host.empty() ? "localhost" : std::string(host);
  if (!port.empty()) {
    auto number = parse_number(port, 1, 65535);
    if (!number) {
      return fmt::format("bad port {}", url.quote(port));
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
  UrlText url(text);
  auto sep = text.find("://");
  if (sep == std::string_view::npos) {
    return failure_of(url, "expected redis://HOST[:PORT][/DB] or unix:///PATH/TO/redis.sock");
  }
  std::string scheme = util::to_lower(text.substr(0, sep));
  RedisTarget target;
  if (scheme == "unix") {
    target.transport = RedisTarget::Transport::unix_socket;
  } else if (scheme == "rediss") {
    if (!redis_tls_supported()) {
      return failure_of(url,
                        "this bridge was built without TLS support for Redis (hiredis_ssl); use a "
                        "unix socket (unix:///PATH/TO/redis.sock) or a TLS tunnel such as stunnel "
                        "or ssh -L to a local port, and redis:// to that");
    }
    target.tls = true;
  } else if (scheme != "redis") {
    return failure_of(url, fmt::format("unknown scheme '{}' (expected redis://, rediss:// or "
                                       "unix://; a file path has no scheme)",
                                       scheme));
  }
  auto rest = text.substr(sep + 3);
  if (auto hash = rest.find('#'); hash != std::string_view::npos) {
    return failure_of(url, "a '#' fragment has no meaning here");
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
      return failure_of(url, *problem);
    }
    hostport = authority.substr(at + 1);
  }
  if (target.transport == RedisTarget::Transport::unix_socket) {
    if (!hostport.empty()) {
      return failure_of(
          url, "a unix:// URL names a socket path, not a host: unix:///PATH/TO/redis.sock");
    }
    if (path.size() < 2) {
      return failure_of(url, "no socket path: expected unix:///PATH/TO/redis.sock");
    }
    auto decoded = percent_decode(path);
    if (!decoded) {
      return failure_of(url, "bad %-escape in the socket path");
    }
    target.socket_path = *decoded;
  } else {
    if (auto problem = apply_host_port(hostport, target, url)) {
      return failure_of(url, *problem);
    }
    if (path.size() > 1) {
      auto db = parse_number(path.substr(1), 0, 1'000'000);
      if (!db) {
        return failure_of(url,
                          fmt::format("bad database {}: expected /N", url.quote(path.substr(1))));
      }
      target.db = static_cast<int>(*db);
    }
  }
  if (auto problem = apply_query(query, target, url)) {
    return failure_of(url, *problem);
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
