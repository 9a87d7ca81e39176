// The affinity of a send: a hash of the session, else of the conversation
// the body names, else of the prompt's prefix.
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

std::string affinity_id(const std::optional<std::string>& session, const std::string& body,
                        BodyNames names) {
  if (session) {
    return hashed("session", *session);
  }
  upstream::PromptKey key = upstream::prompt_key(body, names == BodyNames::read);
  if (key.conversation) {
    // A conversation its client names is a session by another name.
    return hashed("session", *key.conversation);
  }
  if (key.prefix.empty() || !upstream::could_be_cached(key.prefix.size(), body)) {
    return {};
  }
  return hashed("prefix", key.prefix);
}

} // namespace app
