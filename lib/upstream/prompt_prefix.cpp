// What a prompt cache keys on, read from a request body (docs/marks.md, "Affinity").
#include "upstream/prompt_prefix.hpp"

#include <nlohmann/json.hpp>

namespace upstream {

std::string prompt_prefix(std::string_view body) {
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return {};
  }
  nlohmann::json prefix = nlohmann::json::object();
  for (const char* field : {"model", "system", "tools"}) {
    if (auto it = parsed.find(field); it != parsed.end()) {
      prefix[field] = *it;
    }
  }
  if (auto messages = parsed.find("messages"); messages != parsed.end() && messages->is_array()) {
    nlohmann::json first = nlohmann::json::array();
    for (const auto& message : *messages) {
      first.push_back(message);
      bool system = message.is_object() && message.value("role", nlohmann::json()) == "system";
      if (!system) {
        break;
      }
    }
    prefix["first"] = std::move(first);
  }
  if (prefix.size() <= 1 && !prefix.contains("first")) {
    return {};
  }
  // nlohmann's object keeps its keys sorted: the same fields give the same text.
  return prefix.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace upstream
