#include "upstream/base64.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

TEST_CASE("base64: round trip, and the RFC 4648 vectors") {
  CHECK(upstream::base64_encode("") == "");
  CHECK(upstream::base64_encode("f") == "Zg==");
  CHECK(upstream::base64_encode("foobar") == "Zm9vYmFy");
  for (const std::string& text : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba",
                                                          "foobar", std::string("\0\xff", 2)}) {
    CAPTURE(text);
    CHECK(upstream::base64_decode(upstream::base64_encode(text)) == text);
  }
}

TEST_CASE("base64: what is not base64 is refused, never half-read") {
  for (std::string text : {"Zg=", "Zg", "Z===", "Zg==Zg==", "Z!==", " Zg=", "Zm9v\n"}) {
    CAPTURE(text);
    CHECK_FALSE(upstream::base64_decode(text));
  }
}
