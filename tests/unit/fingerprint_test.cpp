// keys/fingerprint.cpp: the fingerprint's text, and its two SHA-256
// backends held to each other and to libcrypto's one-shot digest.
#include "keys/fingerprint.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <set>
#include <string>
#include <vector>

namespace {
// "sha256:" and exactly 32 lower-case hex digits.
bool has_fingerprint_shape(const std::string& text) {
  if (text.size() != 7 + 32 || text.rfind("sha256:", 0) != 0) {
    return false;
  }
  return text.find_first_not_of("0123456789abcdef", 7) == std::string::npos;
}
} // namespace

TEST_CASE("key_fingerprint: sha256: and 32 hex digits of SHA-256") {
  // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
  CHECK(keys::key_fingerprint("abc") == "sha256:ba7816bf8f01cfea414140de5dae2223");
  // SHA-256("") = e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
  CHECK(keys::key_fingerprint("") == "sha256:e3b0c44298fc1c149afbf4c8996fb924");
  // The shape check itself refuses near misses.
  CHECK_FALSE(has_fingerprint_shape("sha256:BA7816BF8F01CFEA414140DE5DAE2223"));
  CHECK_FALSE(has_fingerprint_shape("sha256:ba7816bf8f01cfea414140de5dae222"));
  CHECK_FALSE(has_fingerprint_shape("sha1:ba7816bf8f01cfea414140de5dae22230"));
  for (std::string secret : {"sk-ant-api03-abcdefgh", "x", "sk-ant-api03-abcdefgi"}) {
    CAPTURE(secret);
    auto fingerprint = keys::key_fingerprint(secret);
    CHECK(has_fingerprint_shape(fingerprint));
    CHECK(keys::key_fingerprint(secret) == fingerprint); // stable
    CHECK(fingerprint.find(secret) == std::string::npos);
  }
}

TEST_CASE("key_fingerprint at an origin: SHA-256 of the origin, a newline and the key") {
  CHECK(keys::key_fingerprint("abc", "https://api.anthropic.com:443") ==
        "sha256:973fc2f200a551434b7802c337748208");
  CHECK(keys::key_fingerprint("abc", "") == keys::key_fingerprint("abc"));
  CHECK(keys::key_fingerprint("abc", "http://127.0.0.1:8080") !=
        keys::key_fingerprint("abc", "http://127.0.0.1:8081"));
}

namespace {
// The first 32 hex digits of SHA-256 as libcrypto computes it: an
// independent implementation to check libmd's against.
std::string openssl_prefix(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) == 1);
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < 16; ++i) {
    out += k_hex[digest[i] >> 4];
    out += k_hex[digest[i] & 0xF];
  }
  return out;
}
} // namespace

TEST_CASE("key_fingerprint: the FIPS 180-4 example vectors") {
  CHECK(keys::key_fingerprint("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "sha256:248d6a61d20638b8e5c026930c3e6039");
  CHECK(keys::key_fingerprint(std::string(1'000'000, 'a')) ==
        "sha256:cdc76e5c9914fb9281a1c7e284d73e67");
}

TEST_CASE(
    "key_fingerprint agrees with libcrypto at every length around the block and padding edges") {
  std::string data;
  for (int length = 0; length <= 300; ++length) {
    CAPTURE(length);
    CHECK(keys::key_fingerprint(data) == "sha256:" + openssl_prefix(data));
    data += static_cast<char>('!' + (length * 7) % 90);
  }
  std::string binary;
  for (int i = 0; i < 256; ++i) {
    binary += static_cast<char>(i);
  }
  CHECK(keys::key_fingerprint(binary) == "sha256:" + openssl_prefix(binary));
}

TEST_CASE("key_fingerprint differs per key and does not contain the key") {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string secret = "sk-ant-api03-" + std::to_string(i);
    auto fingerprint = keys::key_fingerprint(secret);
    CHECK(fingerprint.find(secret) == std::string::npos);
    CHECK(seen.insert(fingerprint).second);
  }
  // A key that is itself hex digits does not leak into its fingerprint either.
  std::string hex_key = "0123456789abcdef0123456789abcdef";
  CHECK(keys::key_fingerprint(hex_key).find(hex_key) == std::string::npos);
}

TEST_CASE("key_fingerprints: libmd and libcrypto give the same fingerprints") {
  // Lengths around SHA-256's padding edges (a message of 55 bytes fits one
  // 64-byte block with its padding, 56 needs a second), real key shapes,
  // and bytes a key never holds.
  std::vector<std::string> texts;
  std::string grown;
  for (int length = 0; length <= 200; ++length) {
    texts.push_back(grown);
    grown += static_cast<char>('!' + (length * 11) % 90);
  }
  texts.push_back("sk-ant-api03-" + std::string(95, 'x') + "AA");
  texts.push_back("sk-proj-" + std::string(156, 'Q'));
  texts.push_back("ABSKQmVkcm9ja0FQSUtleS1" + std::string(40, 'z'));
  texts.push_back("AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  texts.push_back(std::string("\0\xff\x80\n", 4));
  std::vector<std::string_view> secrets(texts.begin(), texts.end());
  for (std::string_view origin :
       {std::string_view(), std::string_view("https://api.anthropic.com:443"),
        std::string_view("http://127.0.0.1:8080")}) {
    CAPTURE(origin);
    auto libmd = keys::key_fingerprints(secrets, origin, keys::Sha256Backend::libmd);
    auto libcrypto = keys::key_fingerprints(secrets, origin, keys::Sha256Backend::libcrypto);
    auto automatic = keys::key_fingerprints(secrets, origin);
    REQUIRE(libmd.size() == secrets.size());
    REQUIRE(libcrypto.size() == secrets.size());
    REQUIRE(automatic.size() == secrets.size());
    for (std::size_t i = 0; i < secrets.size(); ++i) {
      CAPTURE(i);
      CHECK(libmd[i] == keys::key_fingerprint(secrets[i], origin));
      CHECK(libcrypto[i] == libmd[i]);
      CHECK(automatic[i] == libmd[i]);
    }
  }
  // Around the switch between the backends, and none at all.
  for (std::size_t count : {std::size_t{0}, std::size_t{1}, keys::k_libcrypto_from_keys - 1,
                            keys::k_libcrypto_from_keys, keys::k_libcrypto_from_keys + 1}) {
    CAPTURE(count);
    std::vector<std::string> many;
    for (std::size_t i = 0; i < count; ++i) {
      many.push_back("sk-ant-bench-" + std::to_string(i) + "-ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    }
    std::vector<std::string_view> views(many.begin(), many.end());
    auto fingerprints = keys::key_fingerprints(views);
    REQUIRE(fingerprints.size() == count);
    for (std::size_t i = 0; i < count; ++i) {
      CHECK(fingerprints[i] == keys::key_fingerprint(views[i]));
    }
  }
}

TEST_CASE("fingerprint_keys gives each key make_key's fingerprint, also for a large pool") {
  for (std::size_t count : {std::size_t{3}, std::size_t{300}}) {
    for (std::string_view origin : {std::string_view(), std::string_view("http://127.0.0.1:9")}) {
      CAPTURE(count);
      CAPTURE(origin);
      std::vector<keys::Key> pool;
      for (std::size_t i = 0; i < count; ++i) {
        std::string secret = "sk-ant-api03-" + std::to_string(i) + "-abcdefgh";
        pool.push_back(
            keys::Key{"key-" + std::to_string(i), secret, keys::key_hint(secret), {}, 0});
      }
      keys::fingerprint_keys(pool, origin);
      for (const auto& key : pool) {
        CHECK(key.fingerprint == keys::key_fingerprint(key.secret, origin));
      }
    }
  }
}
