#pragma once

// The fingerprints of many keys at once. A key's fingerprint is the name its
// facts are stored under (the state file, Redis): key_fingerprint, declared
// with Key in key.hpp; both are defined in fingerprint.cpp.
#include "keys/key.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace keys {

// Which SHA-256 computes key_fingerprints. Every backend gives the same
// text; only the cost differs (fingerprint.cpp says why there are two).
enum class Sha256Backend { automatic, libmd, libcrypto };

// From this many keys on, `automatic` hashes with libcrypto.
inline constexpr std::size_t k_libcrypto_from_keys = 4096;

// key_fingerprint(secret, origin) of each of `secrets`, in order. `automatic`
// picks the cheaper backend for that many keys; the others are for the
// tests that hold both to the same text.
std::vector<std::string> key_fingerprints(const std::vector<std::string_view>& secrets,
                                          std::string_view origin = {},
                                          Sha256Backend backend = Sha256Backend::automatic);

// Sets the fingerprint of each of `keys` at `origin` (key_fingerprints): a
// key file's keys hashed together, which costs less for a large pool than
// make_key's one at a time.
void fingerprint_keys(std::vector<Key>& keys, std::string_view origin = {});

} // namespace keys
