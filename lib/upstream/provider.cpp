#include "upstream/provider.hpp"

#include "upstream/anthropic.hpp"
#include "upstream/openai.hpp"

namespace upstream {

// The one place that lists the providers: a new one is a pair of files and
// a line here.
const std::vector<std::string>& provider_names() {
  static const std::vector<std::string> k_names = {"anthropic", "openai"};
  return k_names;
}

std::unique_ptr<Provider> make_provider(std::string_view name) {
  if (name == "anthropic") {
    return std::make_unique<AnthropicProvider>();
  }
  if (name == "openai") {
    return std::make_unique<OpenAiProvider>();
  }
  return nullptr;
}

} // namespace upstream
