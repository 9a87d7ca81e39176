#include "keys/key.hpp"

#include "util/strings.hpp"

#include <cstdint>
#include <sha2.h>

namespace keys {

Key make_key(std::string label, std::string secret, int line) {
  Key key;
  key.hint = key_hint(secret);
  key.fingerprint = key_fingerprint(secret);
  key.label = std::move(label);
  key.secret = std::move(secret);
  key.line = line;
  return key;
}

std::string key_hint(std::string_view secret) {
  std::size_t length = util::utf8_length(secret);
  std::size_t n = length >= 20 ? 4 : length >= 10 ? 2 : length >= 5 ? 1 : 0;
  if (length <= 2 * n || n == 0) {
    return "...";
  }
  std::size_t head = util::utf8_offset(secret, n);
  std::size_t tail = util::utf8_offset(secret, length - n);
  return std::string(secret.substr(0, head)) + "..." + std::string(secret.substr(tail));
}

std::string key_fingerprint(std::string_view secret) {
  // libmd's SHA-256 (the BSD <sha2.h> functions), which gives the digest as
  // lower-case hex. libcrypto would do as well, but OpenSSL 3 spends more
  // setting up its provider than hashing every key of a pool.
  char hex[SHA256_DIGEST_STRING_LENGTH];
  SHA256Data(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size(), hex);
  return "sha256:" + std::string(hex, 32);
}

} // namespace keys
