#include "keys/key.hpp"

#include <doctest/doctest.h>

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
