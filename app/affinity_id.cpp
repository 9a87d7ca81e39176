// The affinity of a send: a hash of the session, else of the prompt's prefix.
#include "affinity_id.hpp"

#include "upstream/prompt_prefix.hpp"

#include <cstdint>
#include <sha2.h>

namespace app {

namespace {
// libmd's SHA-256 of a domain word and the text, in hex: a session named like
// a prompt prefix never shares its affinity.
std::string hashed(std::string_view domain, std::string_view text) {
  SHA2_CTX context;
  SHA256Init(&context);
  SHA256Update(&context, reinterpret_cast<const std::uint8_t*>(domain.data()), domain.size());
  SHA256Update(&context, reinterpret_cast<const std::uint8_t*>("\n"), 1);
  SHA256Update(&context, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  char hex[SHA256_DIGEST_STRING_LENGTH];
  SHA256End(&context, hex);
  return std::string(hex);
}
} // namespace

std::string affinity_id(const std::optional<std::string>& session, const std::string& body) {
  if (session) {
    return hashed("session", *session);
  }
  std::string prefix = upstream::prompt_prefix(body);
  if (prefix.empty() || (prefix.size() < k_min_cached_prefix &&
                         body.find("\"cache_control\"") == std::string::npos)) {
    return {};
  }
  return hashed("prefix", prefix);
}

} // namespace app
