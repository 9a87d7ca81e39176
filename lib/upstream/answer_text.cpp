#include "upstream/answer_text.hpp"

#include "util/fast_or_full.hpp"
#include "util/json_plugin.hpp"

#include <nlohmann/json.hpp>
#include <utility>

namespace upstream {

namespace {

// The fast path's verdict: empty when the full parser must decide, else the
// answer (itself empty when the body holds no answer).
using Verdict = std::optional<std::optional<std::string>>;

Verdict decided(std::optional<std::string> answer) {
  return Verdict(std::in_place, std::move(answer));
}

using nlohmann::json;

// The plugin's verdict on `body`, read by `reader`; empty when there is no
// plugin for it or nlohmann must decide.
Verdict read_with_plugin(util::JsonTextReader reader, std::string_view body) {
  std::string text;
  auto verdict = util::read_with_plugin(reader, body, text);
  if (!verdict) {
    return std::nullopt;
  }
  return decided(*verdict == 1 ? std::optional(std::move(text)) : std::nullopt);
}

// A member of `object` that is a string, or nullptr.
const std::string* string_member(const json& object, const char* name) {
  auto found = object.find(name);
  return found != object.end() && found->is_string() ? &found->get_ref<const std::string&>()
                                                     : nullptr;
}

} // namespace

std::optional<std::string> anthropic_answer_text_slow(std::string_view body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return std::nullopt;
  }
  auto content = parsed.find("content");
  if (content == parsed.end() || !content->is_array()) {
    return std::nullopt;
  }
  std::string text;
  for (const auto& block : *content) {
    if (!block.is_object()) {
      continue;
    }
    const std::string* type = string_member(block, "type");
    const std::string* value = string_member(block, "text");
    if (type && *type == "text" && value) {
      text += *value;
    }
  }
  return text;
}

std::optional<std::string> anthropic_answer_text(std::string_view body) {
  return util::fast_or_full(
      [&] { return read_with_plugin(&bridge_json_api::anthropic_answer, body); },
      [&] { return anthropic_answer_text_slow(body); });
}

std::optional<std::string> openai_answer_text_slow(std::string_view body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return std::nullopt;
  }
  auto choices = parsed.find("choices");
  if (choices == parsed.end() || !choices->is_array()) {
    return std::nullopt;
  }
  if (choices->empty()) {
    return std::string();
  }
  const json& first = choices->front();
  if (!first.is_object()) {
    return std::nullopt;
  }
  auto message = first.find("message");
  if (message == first.end() || !message->is_object()) {
    return std::nullopt;
  }
  auto content = message->find("content");
  if (content == message->end() || content->is_null()) {
    return std::string(); // a refusal or a tool call: no text
  }
  if (!content->is_string()) {
    return std::nullopt;
  }
  return content->get<std::string>();
}

std::optional<std::string> openai_answer_text(std::string_view body) {
  return util::fast_or_full([&] { return read_with_plugin(&bridge_json_api::openai_answer, body); },
                            [&] { return openai_answer_text_slow(body); });
}

} // namespace upstream
