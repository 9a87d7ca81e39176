#include "keys/key.hpp"

#include <algorithm>

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

std::optional<AwsKeyParts> aws_key_parts(std::string_view secret) {
  auto colon = secret.find(':');
  if (colon == std::string_view::npos || colon + 1 == secret.size()) {
    return std::nullopt;
  }
  std::string_view id = secret.substr(0, colon);
  bool id_shape =
      id.size() >= 16 && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      });
  if (!id_shape) {
    return std::nullopt;
  }
  return AwsKeyParts{id, secret.substr(colon + 1)};
}

std::string key_hint(std::string_view secret) {
  if (auto aws = aws_key_parts(secret)) {
    secret = aws->access_key_id; // no character of the secret access key is shown
  }
  std::size_t length = util::utf8_length(secret);
  std::size_t n = length >= 20 ? 4 : length >= 10 ? 2 : length >= 5 ? 1 : 0;
  if (length <= 2 * n || n == 0) {
    return "...";
  }
  std::size_t head = util::utf8_offset(secret, n);
  std::size_t tail = util::utf8_offset(secret, length - n);
  return std::string(secret.substr(0, head)) + "..." + std::string(secret.substr(tail));
}

std::string key_fingerprint(std::string_view secret) { return key_fingerprint(secret, {}); }

std::string key_fingerprint(std::string_view secret, std::string_view origin) {
  // libmd's SHA-256 (the BSD <sha2.h> functions). libcrypto would do as well,
  // but OpenSSL 3 spends more setting up its provider than hashing every key
  // of a pool. Only 16 bytes are shown, so SHA256Data's 64-digit hex is not
  // worth making (a tenth of the cost of a pool's fingerprints).
  SHA2_CTX context;
  SHA256Init(&context);
  if (!origin.empty()) {
    SHA256Update(&context, reinterpret_cast<const std::uint8_t*>(origin.data()), origin.size());
    SHA256Update(&context, reinterpret_cast<const std::uint8_t*>("\n"), 1);
  }
  SHA256Update(&context, reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size());
  std::uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256Final(digest, &context);
  static constexpr char k_hex[] = "0123456789abcdef";
  char text[] = "sha256:0123456789abcdef0123456789abcdef"; // 16 bytes in hex
  for (std::size_t i = 0; i < 16; ++i) {
    text[7 + 2 * i] = k_hex[digest[i] >> 4];
    text[8 + 2 * i] = k_hex[digest[i] & 0xF];
  }
  return std::string(text, sizeof text - 1);
}

} // namespace keys
