#include "util/printable.hpp"

#include <doctest/doctest.h>

#include <string>

using util::json_without_controls;
using util::printable;

TEST_CASE("printable: plain text and valid UTF-8 pass unchanged") {
  CHECK(printable("rate_limit_error") == "rate_limit_error");
  CHECK(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(printable("back\\slash") == "back\\slash");
  CHECK(printable("") == "");
}

TEST_CASE("printable: C0 controls and DEL are escaped") {
  CHECK(printable("\x1b[2J") == "\\x1b[2J");
  CHECK(printable("a\r\nb\tc\a") == "a\\x0d\\x0ab\\x09c\\x07");
  CHECK(printable(std::string("nul\0end", 7)) == "nul\\x00end");
  CHECK(printable("\x7f") == "\\x7f");
}

TEST_CASE("printable: C1 controls are escaped, as UTF-8 and as raw 8-bit bytes") {
  CHECK(printable("\xc2\x9b"
                  "2J") == "\\xc2\\x9b2J"); // U+009B, a one-character CSI
  CHECK(printable("\xc2\x80\xc2\x9f") == "\\xc2\\x80\\xc2\\x9f");
  CHECK(printable("\xc2\xa0") == "\xc2\xa0"); // U+00A0 is not a control
  CHECK(printable("\x9b"
                  "2J") == "\\x9b2J"); // an 8-bit CSI byte on its own
  CHECK(printable("\x9d"
                  "0;title\x9c") == "\\x9d0;title\\x9c");
}

TEST_CASE("printable: bytes that are not valid UTF-8 are escaped one by one") {
  CHECK(printable("\xff\xfe") == "\\xff\\xfe");
  CHECK(printable("\xc3") == "\\xc3");                   // truncated
  CHECK(printable("\xc0\x9b") == "\\xc0\\x9b");          // overlong form of U+001B... of 0x1B
  CHECK(printable("\xe0\x82\x9b") == "\\xe0\\x82\\x9b"); // overlong form of U+009B
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80"); // a surrogate
  CHECK(printable("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80"); // past U+10FFFF
}

TEST_CASE("printable: the result never holds a control byte") {
  std::string all;
  for (int byte = 0; byte < 256; ++byte) {
    all += static_cast<char>(byte);
    all += "\xc2";
    all += static_cast<char>(byte);
  }
  std::string out = printable(all);
  // Anything printable() would still escape (a control, a C1 character, an
  // invalid byte) would make a second pass change the text.
  CHECK(printable(out) == out);
  CHECK(out.find('\x1b') == std::string::npos);
}

TEST_CASE("json_without_controls: C1 characters in strings become \\u00XX, nothing else changes") {
  CHECK(json_without_controls(R"({"a":"x)"
                              "\xc2\x9b"
                              R"(y"})") == R"({"a":"x\u009by"})");
  CHECK(json_without_controls(R"({"a":"caf)"
                              "\xc3\xa9"
                              R"(\u001b"})") == R"({"a":"caf)"
                                                "\xc3\xa9"
                                                R"(\u001b"})");
  CHECK(json_without_controls("\xc2\x80\xc2\x9f\xc2\xa0") == "\\u0080\\u009f\xc2\xa0");
}

TEST_CASE("printable: bidirectional controls are escaped byte by byte, as C1 controls are") {
  CHECK(printable("txt\xe2\x80\xae"
                  "exe.pdf") == "txt\\xe2\\x80\\xaeexe.pdf"); // U+202E
  CHECK(printable("\xd8\x9c") == "\\xd8\\x9c");               // U+061C
  CHECK(printable("\xe2\x80\x8e\xe2\x80\x8f") == "\\xe2\\x80\\x8e\\xe2\\x80\\x8f");
  for (const char* c : {"\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad",
                        "\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9"}) {
    CHECK(printable(c).find('\xe2') == std::string::npos);
  }
  // Their neighbours are ordinary characters.
  CHECK(printable("\xe2\x80\x8d\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xd8\x9b") ==
        "\xe2\x80\x8d\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xd8\x9b");
}

TEST_CASE("json_without_controls: bidirectional controls become \\uXXXX, as C1 controls") {
  CHECK(json_without_controls("{\"a\":\"x\xe2\x80\xaey\xd8\x9c\xe2\x81\xa9\"}") ==
        R"({"a":"x\u202ey\u061c\u2069"})");
  CHECK(json_without_controls("\xe2\x80\x8d\xf0\x9f\x98\x80\xff") ==
        "\xe2\x80\x8d\xf0\x9f\x98\x80\xff");
}
