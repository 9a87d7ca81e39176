#include "keys/key_owner.hpp"

#include <doctest/doctest.h>

TEST_CASE("key_owner: only a vendor's own prefix names an owner") {
  CHECK(keys::key_owner("sk-ant-api03-abcdefgh") == "anthropic");
  CHECK(keys::key_owner("sk-ant-admin01-abcdefgh") == "anthropic");
  CHECK(keys::key_owner("sk-proj-abcdefgh") == "openai");
  CHECK(keys::key_owner("sk-svcacct-abcdefgh") == "openai");
  CHECK(keys::key_owner("sk-admin-abcdefgh") == "openai");
  CHECK(keys::owner_prefix("sk-proj-abcdefgh") == "sk-proj-");
  CHECK(keys::key_owner("ABSKQmVkcm9ja0FQSUtleS1h") == "bedrock");
  CHECK(keys::key_owner("bedrock-api-key-YmVkcm9jaw") == "bedrock");
  CHECK(keys::key_owner("AKIAABCDEFGHIJKLMNOP:secret") == "bedrock");
  // Keys that say nothing: a legacy OpenAI key, a proxy's, a local server's.
  for (const char* key : {"sk-abcdefghijklmnop", "ollama", "gsk_abcdef", "sk-an", "", "SK-ANT-x"}) {
    CHECK(keys::key_owner(key).empty());
    CHECK(keys::owner_prefix(key).empty());
  }
}
