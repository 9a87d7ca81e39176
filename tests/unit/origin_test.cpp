#include "upstream/origin.hpp"

#include <doctest/doctest.h>

TEST_CASE("url_origin: scheme, host and port, in lower case, the port always written") {
  CHECK(upstream::url_origin("https://api.openai.com/v1") == "https://api.openai.com:443");
  CHECK(upstream::url_origin("https://API.OpenAI.com:443/") == "https://api.openai.com:443");
  CHECK(upstream::url_origin("HTTPS://api.anthropic.com") == "https://api.anthropic.com:443");
  CHECK(upstream::url_origin("http://127.0.0.1:8080/v1?x=1#y") == "http://127.0.0.1:8080");
  CHECK(upstream::url_origin("http://user:secret@localhost/v1") == "http://localhost:80");
  CHECK(upstream::url_origin("http://[::1]:11434/v1") == "http://[::1]:11434");
  CHECK(upstream::url_origin("https://api.openai.com:8443/v1") != "https://api.openai.com:443");
  // Not a URL: itself, which no real origin equals.
  CHECK(upstream::url_origin("not a url") == "not a url");
}
