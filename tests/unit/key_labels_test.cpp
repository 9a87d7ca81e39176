// Finding keys by label, as keys check and keys reset do.
#include "key_labels.hpp"

#include "test_support.hpp"
#include "upstream/anthropic.hpp"

#include <doctest/doctest.h>

namespace {

app::KeySource pool_of(std::initializer_list<const char*> labels) {
  app::KeySource source;
  source.key_file = "/home/test/keys";
  int n = 0;
  for (const char* label : labels) {
    source.keys.push_back(keys::make_key(label, "sk-ant-secret-" + std::to_string(n++)));
  }
  return source;
}

const upstream::AnthropicProvider k_anthropic;

} // namespace

TEST_CASE("keys_by_label: in the order named, each key once") {
  auto source = pool_of({"a", "b", "c"});
  auto chosen = app::keys_by_label(source, {"c", "a", "c"}, k_anthropic.profile());
  REQUIRE(chosen.size() == 2);
  CHECK(chosen[0] == &source.keys[2]);
  CHECK(chosen[1] == &source.keys[0]);
  CHECK(app::keys_by_label(source, {}, k_anthropic.profile()).empty());
}

TEST_CASE("keys_by_label: a label that names no key is a usage error saying where it looked") {
  auto source = pool_of({"a"});
  std::string message;
  CHECK_BRIDGE_ERROR(app::keys_by_label(source, {"a", "z"}, k_anthropic.profile()),
                     util::ExitCode::usage, message);
  CHECK(message == "no key labelled 'z' in /home/test/keys");
  app::KeySource byok;
  byok.mode = app::KeySource::Mode::byok;
  byok.keys.push_back(keys::make_key("ANTHROPIC_API_KEY", "sk-ant-secret"));
  CHECK_BRIDGE_ERROR(app::keys_by_label(byok, {"z"}, k_anthropic.profile()), util::ExitCode::usage,
                     message);
  CHECK(message ==
        "no key labelled 'z': ANTHROPIC_API_KEY is one key, labelled 'ANTHROPIC_API_KEY'");
}
