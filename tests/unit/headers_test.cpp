#include "upstream/headers.hpp"

#include <doctest/doctest.h>

#include <string>

using upstream::Headers;

TEST_CASE("Headers::get compares names case-insensitively") {
  Headers headers;
  headers.add("Retry-After", "5");
  headers.add("content-type", "application/json");
  for (auto name : {"retry-after", "RETRY-AFTER", "Retry-After", "rEtRy-AfTeR"}) {
    CAPTURE(std::string(name));
    REQUIRE(headers.get(name).has_value());
    CHECK(*headers.get(name) == "5");
  }
  REQUIRE(headers.get("Content-Type").has_value());
  CHECK(*headers.get("Content-Type") == "application/json");
  CHECK_FALSE(headers.get("retry-after-ms").has_value());
  CHECK_FALSE(headers.get("retry").has_value());
  CHECK_FALSE(headers.empty());
}

TEST_CASE("Headers: the last value of a repeated name wins, and order is kept") {
  Headers headers;
  headers.add("x-a", "1");
  headers.add("X-B", "2");
  headers.add("X-A", "3");
  REQUIRE(headers.get("x-a").has_value());
  CHECK(*headers.get("x-a") == "3");
  REQUIRE(headers.fields().size() == 3);
  CHECK(headers.fields()[0].first == "x-a");
  CHECK(headers.fields()[1].first == "X-B");
  CHECK(headers.fields()[2].second == "3");
  headers.clear();
  CHECK(headers.empty());
  CHECK_FALSE(headers.get("x-a").has_value());
}

TEST_CASE("Headers::parse_block reads CRLF and LF blocks alike") {
  for (std::string eol : {"\r\n", "\n"}) {
    CAPTURE(eol.size());
    std::string block = "HTTP/1.1 429 Too Many Requests" + eol + "Retry-After:  5 " + eol +
                        "Date: Sun, 06 Nov 1994 08:49:37 GMT" + eol + "x-empty:" + eol +
                        "request-id: req_123" + eol + eol;
    auto headers = Headers::parse_block(block);
    REQUIRE(headers.get("retry-after").has_value());
    CHECK(*headers.get("retry-after") == "5"); // value trimmed
    REQUIRE(headers.get("date").has_value());
    CHECK(*headers.get("date") == "Sun, 06 Nov 1994 08:49:37 GMT"); // colons in values kept
    REQUIRE(headers.get("x-empty").has_value());
    CHECK(*headers.get("x-empty") == "");
    REQUIRE(headers.get("request-id").has_value());
    CHECK(*headers.get("request-id") == "req_123");
    CHECK(headers.fields().size() == 4);
  }
}

TEST_CASE("Headers::parse_block: only the last of several responses counts") {
  std::string block = "HTTP/1.1 100 Continue\r\n"
                      "X-Interim: yes\r\n"
                      "Retry-After: 999\r\n"
                      "\r\n"
                      "HTTP/1.1 429 Too Many Requests\r\n"
                      "Retry-After: 7\r\n"
                      "\r\n";
  auto headers = Headers::parse_block(block);
  REQUIRE(headers.get("retry-after").has_value());
  CHECK(*headers.get("retry-after") == "7");
  CHECK_FALSE(headers.get("x-interim").has_value());
  CHECK(headers.fields().size() == 1);
}

TEST_CASE("Headers::parse_block: a proxy CONNECT then HTTP/2, in lower case") {
  std::string block = "HTTP/1.1 200 Connection established\n"
                      "Proxy-Agent: squid\n"
                      "\n"
                      "http/2 503\n"
                      "retry-after-ms: 1500\n";
  auto headers = Headers::parse_block(block);
  CHECK_FALSE(headers.get("proxy-agent").has_value());
  REQUIRE(headers.get("Retry-After-Ms").has_value());
  CHECK(*headers.get("Retry-After-Ms") == "1500");
}

TEST_CASE("Headers::parse_block skips malformed lines and takes headers without a status line") {
  std::string block = "garbage line without colon\n"
                      ": no name\n"
                      "bad name: value\n"
                      "Retry-After: 3\n"
                      "\n";
  auto headers = Headers::parse_block(block);
  CHECK(headers.fields().size() == 1);
  REQUIRE(headers.get("retry-after").has_value());
  CHECK(*headers.get("retry-after") == "3");
  CHECK(Headers::parse_block("").empty());
  CHECK(Headers::parse_block("\r\n\r\n").empty());
  // A block that ends without a final line end still yields its last line.
  auto unterminated = Headers::parse_block("HTTP/1.1 429\r\nRetry-After: 4");
  REQUIRE(unterminated.get("retry-after").has_value());
  CHECK(*unterminated.get("retry-after") == "4");
}
