#include "util/sha256.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <string>

namespace {

std::string hex(const std::uint8_t* data, std::size_t size) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += k_hex[data[i] >> 4];
    out += k_hex[data[i] & 0xF];
  }
  return out;
}

std::string ours(std::string_view data) {
  auto digest = util::sha256(data);
  return hex(digest.data(), digest.size());
}

std::string openssl(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) == 1);
  return hex(digest, size);
}

} // namespace

TEST_CASE("sha256: FIPS 180-4 example vectors") {
  CHECK(ours("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(ours("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(ours("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(ours(std::string(1'000'000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 agrees with libcrypto at every length around the block and padding edges") {
  std::string data;
  for (int length = 0; length <= 300; ++length) {
    CAPTURE(length);
    CHECK(ours(data) == openssl(data));
    data += static_cast<char>('!' + (length * 7) % 90);
  }
  std::string binary;
  for (int i = 0; i < 256; ++i) {
    binary += static_cast<char>(i);
  }
  CHECK(ours(binary) == openssl(binary));
}
