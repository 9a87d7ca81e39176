#include "keys/key.hpp"

#include "util/sha256.hpp"
#include "util/strings.hpp"


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
  auto digest = util::sha256(secret);
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (std::size_t i = 0; i < 16; ++i) {
    out += k_hex[digest[i] >> 4];
    out += k_hex[digest[i] & 0xF];
  }
  return out;
}

} // namespace keys
