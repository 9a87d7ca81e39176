#pragma once

#include <string_view>

namespace keys {

// The provider a key plainly belongs to, told by the prefix its vendor puts
// on every key: "anthropic" for sk-ant-, "openai" for sk-proj-, sk-svcacct-
// and sk-admin-. Empty when the key does not say: a legacy sk-… key, a
// proxy's or a local server's token. Only a key that says so is judged, so
// that an OpenAI-compatible host with keys of its own is never refused.
std::string_view key_owner(std::string_view secret);

// The prefix that made key_owner decide ("sk-ant-"), for messages; empty
// when it named no owner.
std::string_view owner_prefix(std::string_view secret);

} // namespace keys
