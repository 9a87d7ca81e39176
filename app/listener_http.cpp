#include "listener_http.hpp"

#include "upstream/prompt_prefix.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <array>

namespace app {

namespace {

constexpr std::array<std::string_view, 9> k_hop_by_hop = {
    "connection",        "keep-alive",          "proxy-connection",   "te", "trailer", "upgrade",
    "transfer-encoding", "proxy-authorization", "proxy-authenticate",
};

// The names a `connection` header lists (lower case).
std::vector<std::string> connection_names(const HeaderList& headers) {
  std::vector<std::string> names;
  for (const auto& [name, value] : headers) {
    if (util::to_lower(name) != "connection") {
      continue;
    }
    std::string_view rest = value;
    while (!rest.empty()) {
      std::size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      std::string word = util::to_lower(util::trim(item));
      if (!word.empty()) {
        names.push_back(word);
      }
    }
  }
  return names;
}

bool hop_by_hop(const std::string& lower, const std::vector<std::string>& listed) {
  return std::find(k_hop_by_hop.begin(), k_hop_by_hop.end(), lower) != k_hop_by_hop.end() ||
         std::find(listed.begin(), listed.end(), lower) != listed.end();
}

bool starts_with_segment(std::string_view path, std::string_view prefix) {
  return path.substr(0, prefix.size()) == prefix &&
         (path.size() == prefix.size() || path[prefix.size()] == '/' || path[prefix.size()] == '?');
}

} // namespace

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

bool carries_token(const HeaderList& headers, std::string_view token) {
  if (token.empty()) {
    return false;
  }
  bool found = false;
  for (const auto& [name, value] : headers) {
    std::string lower = util::to_lower(name);
    std::string_view given;
    if (lower == "x-api-key") {
      given = util::trim(value);
    } else if (lower == "authorization") {
      std::string_view v = util::trim(value);
      if (v.size() > 7 && util::to_lower(v.substr(0, 7)) == "bearer ") {
        given = util::trim(v.substr(7));
      }
    } else {
      continue;
    }
    // Every candidate is compared, so the time does not tell which matched.
    found = constant_time_equal(given, token) || found;
  }
  return found;
}

std::vector<std::string> forwarded_headers(const HeaderList& headers) {
  std::vector<std::string> listed = connection_names(headers);
  std::vector<std::string> out;
  for (const auto& [name, value] : headers) {
    std::string lower = util::to_lower(name);
    if (hop_by_hop(lower, listed) || lower == "x-api-key" || lower == "authorization" ||
        lower == "host" || lower == "content-length" || lower == "accept-encoding" ||
        lower == "expect") {
      continue;
    }
    out.push_back(name + ": " + value);
  }
  return out;
}

HeaderList relayed_headers(const upstream::Headers& headers) {
  std::vector<std::string> listed = connection_names(headers.fields());
  HeaderList out;
  for (const auto& [name, value] : headers.fields()) {
    std::string lower = util::to_lower(name);
    if (hop_by_hop(lower, listed) || lower == "content-length") {
      continue;
    }
    out.emplace_back(name, value);
  }
  return out;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

bool key_bound_path(std::string_view path) {
  path = path_of(path);
  for (std::string_view prefix :
       {"/v1/messages/batches", "/v1/files", "/files", "/batches", "/uploads"}) {
    if (starts_with_segment(path, prefix)) {
      return true;
    }
  }
  return false;
}

bool prompt_path(std::string_view path) {
  path = path_of(path);
  return path == "/v1/messages" || path == "/v1/chat/completions" || path == "/v1/responses";
}

std::optional<std::string> client_session(const HeaderList& headers) {
  for (const auto& [name, value] : headers) {
    if (util::to_lower(name) != "x-claude-code-session-id") {
      continue;
    }
    std::string_view given = util::trim(value);
    if (given.empty() || given.size() > upstream::k_max_conversation_id) {
      return std::nullopt;
    }
    return std::string(given);
  }
  return std::nullopt;
}

} // namespace app
