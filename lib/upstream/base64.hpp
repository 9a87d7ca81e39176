#pragma once

#include <optional>
#include <string>
#include <string_view>

// Base64 (RFC 4648, with padding), by OpenSSL's EVP_EncodeBlock and
// EVP_DecodeBlock: Bedrock's stream carries each event base64-encoded.
namespace upstream {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not base64 (a length that is not a multiple of 4,
// a character outside the alphabet, padding in the middle).
std::optional<std::string> base64_decode(std::string_view text);

} // namespace upstream
