#include "keys/key.hpp"

#include <algorithm>

#include "util/strings.hpp"

namespace keys {

namespace {

// Whether every byte is below 0x80, where characters are bytes.
bool is_ascii(std::string_view text) {
  unsigned char bits = 0; // no early exit: the loop vectorises
  for (char c : text) {
    bits |= static_cast<unsigned char>(c);
  }
  return bits < 0x80;
}

} // namespace

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
  // Keys are ASCII (sendable in a header), where characters are bytes; the
  // code point walk is for the rest.
  bool ascii = is_ascii(secret);
  std::size_t length = ascii ? secret.size() : util::utf8_length(secret);
  std::size_t n = length >= 20 ? 4 : length >= 10 ? 2 : length >= 5 ? 1 : 0;
  if (length <= 2 * n || n == 0) {
    return "...";
  }
  std::size_t head = ascii ? n : util::utf8_offset(secret, n);
  std::size_t tail = ascii ? secret.size() - n : util::utf8_offset(secret, length - n);
  std::string hint;
  hint.reserve(head + 3 + (secret.size() - tail));
  hint.append(secret.substr(0, head)).append("...").append(secret.substr(tail));
  return hint;
}

} // namespace keys
