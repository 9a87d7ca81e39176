#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace util {

// SHA-256 (FIPS 180-4) of a short input, computed here rather than through
// libcrypto: OpenSSL 3 spends more setting up its provider (EVP_MD_fetch)
// than hashing every key of a pool, and that set-up was a fifth of the
// start-up cost of a one-shot `bridge ask`.
std::array<std::uint8_t, 32> sha256(std::string_view data);

} // namespace util
