#include "keys/key.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <set>
#include <string>

TEST_CASE("key_hint: the table of docs/contract.md (keys)") {
  struct Row {
    std::string secret;
    std::string hint;
  };
  for (const auto& row : {
           Row{"", "..."}, Row{"a", "..."}, Row{"abcd", "..."}, // 4 characters: n = 0
           Row{"abcde", "a...e"},                               // 5: n = 1
           Row{"abcdefghi", "a...i"},                           // 9: n = 1
           Row{"abcdefghij", "ab...ij"},                        // 10: n = 2
           Row{"abcdefghijklmnopqrs", "ab...rs"},               // 19: n = 2
           Row{"abcdefghijklmnopqrst", "abcd...qrst"},          // 20: n = 4
           Row{"sk-ant-api03-abcdefgh", "sk-a...efgh"}, // the example of docs/contract.md (keys)
           Row{std::string(108, 'x') + "AA", "xxxx...xxAA"}, // a real key's length
       }) {
    CAPTURE(row.secret);
    CHECK(keys::key_hint(row.secret) == row.hint);
  }
}

TEST_CASE("key_hint counts characters, not bytes") {
  struct Row {
    std::string secret;
    std::string hint;
  };
  for (const auto& row : {
           // 4 characters in 8 bytes: n = 0, not 1.
           Row{"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", "..."},
           // 5 characters in 7 bytes: the whole first and last character.
           Row{"\u00e9abc\u00e9", "\u00e9...\u00e9"},
           // 10 characters in 14 bytes (two 3-byte euro signs): n = 2.
           Row{"\u20acbcdefghi\u20ac", "\u20acb...i\u20ac"},
           // 19 characters in 20 bytes: still n = 2.
           Row{"\u00fcbcdefghijklmnopqrs", "\u00fcb...rs"},
           // 20 characters with a 4-byte emoji at the end: n = 4.
           Row{"abcdefghijklmnopqrs\xF0\x9F\x94\x91", "abcd...qrs\xF0\x9F\x94\x91"},
       }) {
    CAPTURE(row.secret);
    CHECK(keys::key_hint(row.secret) == row.hint);
  }
}

TEST_CASE("key_hint never shows a short key whole") {
  for (std::size_t length = 0; length < 40; ++length) {
    std::string secret;
    for (std::size_t i = 0; i < length; ++i) {
      secret += static_cast<char>('A' + i % 26);
    }
    CAPTURE(length);
    auto hint = keys::key_hint(secret);
    if (length > 0) {
      CHECK(hint.find(secret) == std::string::npos);
    }
    // At most half of the key is shown.
    CHECK(hint.size() - 3 <= length / 2);
  }
}

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

TEST_CASE("make_key derives hint and fingerprint and keeps label and line") {
  auto key = keys::make_key("primary", "sk-ant-api03-abcdefgh", 7);
  CHECK(key.label == "primary");
  CHECK(key.secret == "sk-ant-api03-abcdefgh");
  CHECK(key.hint == "sk-a...efgh");
  CHECK(key.fingerprint == keys::key_fingerprint("sk-ant-api03-abcdefgh"));
  CHECK(key.line == 7);
  CHECK(keys::make_key("env", "sk-x-123456").line == 0);
}

// A Bedrock IAM key shows its access key id's hint: not one character of the
// secret access key.
TEST_CASE("key_hint: an AWS IAM key is hinted by its access key id alone") {
  std::string secret = "AKIAABCDEFGHIJKLMNOP:wJalrXUtnFEMIsecretZZZZ";
  CHECK(keys::key_hint(secret) == "AKIA...MNOP");
  auto parts = keys::aws_key_parts(secret);
  REQUIRE(parts);
  CHECK(parts->secret_access_key == "wJalrXUtnFEMIsecretZZZZ");
  CHECK_FALSE(keys::aws_key_parts("sk-ant-api03:abc"));
  CHECK_FALSE(keys::aws_key_parts("AKIAABCDEFGHIJKLMNOP:"));
  CHECK(keys::key_hint("sk-ant-api03-abcdefgh") == "sk-a...efgh");
}
