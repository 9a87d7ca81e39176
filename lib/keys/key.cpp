#include "keys/key.hpp"

#include "util/strings.hpp"

#include <array>
#include <openssl/evp.h>
#include <stdexcept>

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

namespace {

// Fetching the algorithm and making a context cost more than hashing a key;
// a pool of 10,000 keys hashes them all at start-up, so do both once.
class Sha256 {
public:
  Sha256() : m_md(EVP_MD_fetch(nullptr, "SHA256", nullptr)), m_ctx(EVP_MD_CTX_new()) {}
  ~Sha256() {
    EVP_MD_CTX_free(m_ctx);
    EVP_MD_free(m_md);
  }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  unsigned int digest(std::string_view data, unsigned char* out) {
    unsigned int size = 0;
    if (!m_md || !m_ctx || EVP_DigestInit_ex2(m_ctx, m_md, nullptr) != 1 ||
        EVP_DigestUpdate(m_ctx, data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(m_ctx, out, &size) != 1) {
      throw std::runtime_error("SHA-256 is not available from libcrypto");
    }
    return size;
  }

private:
  EVP_MD* m_md;
  EVP_MD_CTX* m_ctx;
};

} // namespace

std::string key_fingerprint(std::string_view secret) {
  static thread_local Sha256 sha256;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = sha256.digest(secret, digest.data());
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < 16 && i < size; ++i) {
    out += k_hex[digest[i] >> 4];
    out += k_hex[digest[i] & 0xF];
  }
  return out;
}

} // namespace keys
