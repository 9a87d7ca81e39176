#include "keys/fingerprint.hpp"

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <sha2.h>

namespace keys {

// Two implementations of the same SHA-256, chosen by how many keys are
// hashed at once:
// - libmd (the BSD <sha2.h> functions) for up to a few thousand keys:
//   portable C, some 5,300 instructions a key, and nothing to set up. `ask`
//   fingerprints one to a handful of keys, and its start-up is measured
//   against curl's.
// - OpenSSL's libcrypto for a larger pool (k_libcrypto_from_keys): its
//   SHA-256 uses the CPU's SHA extensions, or AVX2 where they are missing
//   (and under valgrind, which hides them: about 3,500 instructions a key
//   there), but the first EVP_MD_fetch sets up the default provider, some
//   5.3 million instructions. That pays from about 2,800 keys under
//   callgrind, and from no fewer than 1,000 keys elsewhere, since at best
//   libmd's whole cost is saved (bench/README.md, 2026-12-05). The digest is
//   fetched once and one context serves every key.
// libcrypto is in the process anyway (libcurl's TLS, the base64 of Bedrock's
// frames). The unit tests hold both to the same fingerprints.

namespace {

constexpr std::size_t k_shown_bytes = 16; // of the 32 bytes of the digest

std::string fingerprint_text(const std::uint8_t* digest) {
  static constexpr char k_hex[] = "0123456789abcdef";
  char text[] = "sha256:0123456789abcdef0123456789abcdef"; // 16 bytes in hex
  for (std::size_t i = 0; i < k_shown_bytes; ++i) {
    text[7 + 2 * i] = k_hex[digest[i] >> 4];
    text[8 + 2 * i] = k_hex[digest[i] & 0xF];
  }
  return std::string(text, sizeof text - 1);
}

// SHA-256 of `origin`, a newline and `secret`; of `secret` alone for an
// empty origin.
std::string libmd_fingerprint(std::string_view secret, std::string_view origin) {
  SHA2_CTX context;
  SHA256Init(&context);
  if (!origin.empty()) {
    SHA256Update(&context, reinterpret_cast<const std::uint8_t*>(origin.data()), origin.size());
    SHA256Update(&context, reinterpret_cast<const std::uint8_t*>("\n"), 1);
  }
  SHA256Update(&context, reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size());
  std::uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256Final(digest, &context);
  return fingerprint_text(digest);
}

struct MdFree {
  void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};
struct MdContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

// The fingerprints of `secrets` with libcrypto, or an empty vector when it
// cannot give them (no SHA-256 in its providers, no memory): the caller then
// uses libmd.
std::vector<std::string> libcrypto_fingerprints(const std::vector<std::string_view>& secrets,
                                                std::string_view origin) {
  std::unique_ptr<EVP_MD, MdFree> md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  std::unique_ptr<EVP_MD_CTX, MdContextFree> context(EVP_MD_CTX_new());
  if (!md || !context) {
    return {};
  }
  std::vector<std::string> out;
  out.reserve(secrets.size());
  for (std::string_view secret : secrets) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    bool ok =
        EVP_DigestInit_ex2(context.get(), md.get(), nullptr) == 1 &&
        (origin.empty() || (EVP_DigestUpdate(context.get(), origin.data(), origin.size()) == 1 &&
                            EVP_DigestUpdate(context.get(), "\n", 1) == 1)) &&
        EVP_DigestUpdate(context.get(), secret.data(), secret.size()) == 1 &&
        EVP_DigestFinal_ex(context.get(), digest, &size) == 1 && size >= k_shown_bytes;
    if (!ok) {
      return {};
    }
    out.push_back(fingerprint_text(digest));
  }
  return out;
}

} // namespace

std::string key_fingerprint(std::string_view secret) { return libmd_fingerprint(secret, {}); }

std::string key_fingerprint(std::string_view secret, std::string_view origin) {
  return libmd_fingerprint(secret, origin);
}

void fingerprint_keys(std::vector<Key>& keys, std::string_view origin) {
  std::vector<std::string_view> secrets;
  secrets.reserve(keys.size());
  for (const auto& key : keys) {
    secrets.push_back(key.secret);
  }
  auto fingerprints = key_fingerprints(secrets, origin);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    keys[i].fingerprint = std::move(fingerprints[i]);
  }
}

std::vector<std::string> key_fingerprints(const std::vector<std::string_view>& secrets,
                                          std::string_view origin, Sha256Backend backend) {
  bool automatic = backend == Sha256Backend::automatic;
  if (automatic) {
    backend =
        secrets.size() >= k_libcrypto_from_keys ? Sha256Backend::libcrypto : Sha256Backend::libmd;
  }
  if (backend == Sha256Backend::libcrypto) {
    // Asked for by name (a test), libcrypto's answer stands even when empty.
    if (auto out = libcrypto_fingerprints(secrets, origin); !out.empty() || !automatic) {
      return out;
    }
  }
  std::vector<std::string> out;
  out.reserve(secrets.size());
  for (std::string_view secret : secrets) {
    out.push_back(libmd_fingerprint(secret, origin));
  }
  return out;
}

} // namespace keys
