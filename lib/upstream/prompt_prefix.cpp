// What a prompt cache keys on, read from a request body (docs/marks.md, "Affinity").
#include "upstream/prompt_prefix.hpp"

#include <nlohmann/json.hpp>

namespace upstream {

namespace {

// The string at `parsed[field]` (or `parsed[field][inner]`) when it may be
// a conversation's id.
std::optional<std::string> id_at(const nlohmann::json& parsed, const char* field,
                                 const char* inner = nullptr) {
  auto it = parsed.find(field);
  if (it == parsed.end()) {
    return std::nullopt;
  }
  const nlohmann::json* value = &*it;
  if (inner) {
    if (!value->is_object()) {
      return std::nullopt;
    }
    auto in = value->find(inner);
    if (in == value->end()) {
      return std::nullopt;
    }
    value = &*in;
  }
  if (!value->is_string()) {
    return std::nullopt;
  }
  const auto& text = value->get_ref<const std::string&>();
  if (text.empty() || text.size() > k_max_conversation_id) {
    return std::nullopt;
  }
  return text;
}

std::string prefix_of(const nlohmann::json& parsed) {
  nlohmann::json prefix = nlohmann::json::object();
  // "instructions" and "input": OpenAI's Responses API, whose input is a
  // text or a list of items as "messages" is.
  for (const char* field : {"model", "system", "tools", "instructions"}) {
    if (auto it = parsed.find(field); it != parsed.end()) {
      prefix[field] = *it;
    }
  }
  for (const char* field : {"messages", "input"}) {
    auto messages = parsed.find(field);
    if (messages == parsed.end() || !(messages->is_array() || messages->is_string())) {
      continue;
    }
    if (messages->is_string()) {
      prefix["first"] = *messages;
      break;
    }
    nlohmann::json first = nlohmann::json::array();
    for (const auto& message : *messages) {
      first.push_back(message);
      auto role = message.is_object() ? message.value("role", nlohmann::json()) : nlohmann::json();
      if (role != "system" && role != "developer") {
        break;
      }
    }
    prefix["first"] = std::move(first);
    break;
  }
  if (prefix.size() <= 1 && !prefix.contains("first")) {
    return {};
  }
  // nlohmann's object keeps its keys sorted: the same fields give the same text.
  return prefix.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

PromptKey prompt_key(std::string_view body, bool named_conversation) {
  PromptKey key;
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return key;
  }
  if (named_conversation) {
    // Anthropic's field first; a body is of one API's shape, so the order
    // matters only for a body that mixes them.
    key.conversation = id_at(parsed, "metadata", "user_id");
    if (!key.conversation) {
      key.conversation = id_at(parsed, "prompt_cache_key");
    }
    if (!key.conversation) {
      key.conversation = id_at(parsed, "user");
    }
    if (key.conversation) {
      return key;
    }
  }
  key.prefix = prefix_of(parsed);
  return key;
}

std::string prompt_prefix(std::string_view body) { return prompt_key(body, false).prefix; }

} // namespace upstream
