#include "keys/key_owner.hpp"

#include <array>
#include <utility>

namespace keys {

namespace {

// Prefixes documented by the vendors for their API keys.
constexpr std::array<std::pair<std::string_view, std::string_view>, 7> k_prefixes{{
    {"sk-ant-", "anthropic"},
    {"sk-proj-", "openai"},
    {"sk-svcacct-", "openai"},
    {"sk-admin-", "openai"},
    // Amazon Bedrock API keys (long-term, short-term) and IAM access key ids.
    {"ABSK", "bedrock"},
    {"bedrock-api-key-", "bedrock"},
    {"AKIA", "bedrock"},
}};

} // namespace

std::string_view key_owner(std::string_view secret) {
  for (const auto& [prefix, owner] : k_prefixes) {
    if (secret.substr(0, prefix.size()) == prefix) {
      return owner;
    }
  }
  return {};
}

std::string_view owner_prefix(std::string_view secret) {
  for (const auto& [prefix, owner] : k_prefixes) {
    if (secret.substr(0, prefix.size()) == prefix) {
      return prefix;
    }
  }
  return {};
}

} // namespace keys
