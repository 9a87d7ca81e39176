#include "state/redis/redis_redirect.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <fmt/format.h>

namespace state {

namespace {

constexpr int k_slots = 16384;
constexpr std::size_t k_max_host = 255;

using Parsed = util::Expected<std::optional<Redirect>>;

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// A decimal number in [low, high], or nullopt.
std::optional<int> number_in(std::string_view text, int low, int high) {
  if (!all_digits(text) || text.size() > 5) {
    return std::nullopt;
  }
  int value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  if (value < low || value > high) {
    return std::nullopt;
  }
  return value;
}

bool is_address(const std::string& host) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

bool is_loopback_address(const std::string& host) {
  unsigned char buffer[16];
  if (::inet_pton(AF_INET, host.c_str(), buffer) == 1) {
    return buffer[0] == 127;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) {
      return true;
    }
    // ::ffff:127.x.y.z
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

bool is_unspecified(const std::string& host) {
  unsigned char buffer[16] = {};
  if (::inet_pton(AF_INET, host.c_str(), buffer) == 1) {
    return buffer[0] == 0 && buffer[1] == 0 && buffer[2] == 0 && buffer[3] == 0;
  }
  in6_addr v6{};
  return ::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_UNSPECIFIED(&v6);
}

// A DNS name: letters, digits, '-' and '.', no empty label at the start.
bool is_host_name(const std::string& host) {
  return !host.empty() && host.front() != '.' && host.front() != '-' &&
         host.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") ==
             std::string::npos;
}

// Whether the URL's host is this machine: an address on loopback, or the
// name "localhost" (which bridge's resolver maps there).
bool names_loopback(const std::string& host) {
  return host == "localhost" || is_loopback_address(host);
}

} // namespace

std::string Redirect::display() const {
  bool v6 = host.find(':') != std::string::npos;
  return fmt::format("{} to {}{}{}:{}", kind == Kind::moved ? "MOVED" : "ASK", v6 ? "[" : "",
                     host.empty() ? "(the same host)" : host, v6 ? "]" : "", port);
}

Parsed parse_redirect(std::string_view text) {
  Redirect redirect;
  std::string_view rest;
  if (text.starts_with("MOVED ")) {
    redirect.kind = Redirect::Kind::moved;
    rest = text.substr(6);
  } else if (text.starts_with("ASK ")) {
    redirect.kind = Redirect::Kind::ask;
    rest = text.substr(4);
  } else {
    return std::optional<Redirect>();
  }
  auto bad = [&](std::string_view why) {
    return Parsed::failure(fmt::format("a redirection bridge does not follow ({})", why));
  };
  auto space = rest.find(' ');
  if (space == std::string_view::npos) {
    return bad("no node after the slot");
  }
  auto slot = number_in(rest.substr(0, space), 0, k_slots - 1);
  if (!slot) {
    return bad("the slot is not a number from 0 to 16383");
  }
  redirect.slot = *slot;
  std::string_view endpoint = rest.substr(space + 1);
  if (endpoint.find(' ') != std::string_view::npos) {
    return bad("more words than a slot and a node");
  }
  auto colon = endpoint.rfind(':');
  if (colon == std::string_view::npos) {
    return bad("the node has no port");
  }
  auto port = number_in(endpoint.substr(colon + 1), 1, 65535);
  if (!port) {
    return bad("the port is not a number from 1 to 65535");
  }
  redirect.port = *port;
  std::string_view host = endpoint.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.size() > k_max_host) {
    return bad(fmt::format("a host name longer than {} characters", k_max_host));
  }
  for (char c : host) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return bad("the host holds a control, blank or non-ASCII character");
    }
  }
  redirect.host = std::string(host);
  return std::optional<Redirect>(std::move(redirect));
}

util::Expected<RedisTarget> redirect_target(const RedisTarget& from, const Redirect& redirect) {
  using Target = util::Expected<RedisTarget>;
  auto refused = [&](std::string_view why) {
    return Target::failure(fmt::format("{} refused: {}", redirect.display(), why));
  };
  if (from.transport != RedisTarget::Transport::tcp) {
    return refused("a redirection from a unix socket is not followed (the socket's trust does "
                   "not extend to another server)");
  }
  RedisTarget to = from;
  to.host = redirect.host.empty() ? from.host : redirect.host;
  to.port = redirect.port;
  // An empty host is the node that answered, under the name the URL gave
  // it: checked already.
  if (!redirect.host.empty()) {
    if (!is_address(to.host)) {
      if (!to.tls) {
        return refused("a host name is followed only over TLS (rediss://), where the "
                       "certificate must name it; a cluster announces IP addresses unless told "
                       "otherwise");
      }
      if (!is_host_name(to.host)) {
        return refused("not an IP address or a host name");
      }
    } else if (is_unspecified(to.host)) {
      return refused("the unspecified address");
    }
  }
  bool from_local = names_loopback(from.host);
  bool to_local = names_loopback(to.host);
  if (from_local && !to_local) {
    return refused("a server on loopback may redirect only to loopback");
  }
  if (!from_local && to_local) {
    return refused("a server on another machine may not redirect to this machine's loopback");
  }
  return to;
}

} // namespace state
