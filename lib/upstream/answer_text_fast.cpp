// The fast reader of blocking answers (upstream/answer_text.hpp), built
// into the JSON plugin (util/json_plugin.hpp): simdjson On-Demand, by the
// rule of util/json_reader.hpp. bridge calls it through the plugin's
// entries at the end of this file.
#include "util/json_check.hpp"
#include "util/json_plugin_abi.h"
#include "util/json_reader.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace upstream {

namespace {

// The fast path's verdict: empty when the full parser must decide, else the
// answer (itself empty when the body holds no answer).
using Verdict = std::optional<std::optional<std::string>>;

Verdict decided(std::optional<std::string> answer) {
  return Verdict(std::in_place, std::move(answer));
}

namespace ondemand = simdjson::ondemand;

// Arrays and objects deeper than this are left to nlohmann (which has no
// limit); an answer's text sits four levels down at most. Below, `levels`
// is what util::check_json_value may still enter at a given depth.
constexpr int k_max_depth = 64;

// The answer held by the top-level member `name`, read by `read_member`
// (the last such member counts); every other member is read through.
template <typename ReadMember>
Verdict read_top(std::string_view body, std::string_view name, ReadMember&& read_member) {
  util::FastJsonReader reader;
  ondemand::document document;
  ondemand::object top;
  if (!reader.top_object(body, document, top)) {
    return std::nullopt;
  }
  std::optional<std::string> answer;
  bool read = util::for_each_field(top, [&](std::string_view field_name, ondemand::value field) {
    return field_name == name ? read_member(field, answer)
                              : util::check_json_value(field, k_max_depth - 1);
  });
  if (!read || !util::json_document_ends(document)) {
    return std::nullopt;
  }
  return decided(std::move(answer));
}

// --- Anthropic: {"content": [{"type": "text", "text": "..."}, ...]} ---

// One content block: its text is appended when it is a text block (any
// other value adds nothing).
bool read_block(ondemand::value value, std::string& joined) {
  return util::if_object(value, k_max_depth - 2, [&](ondemand::object& block) {
    std::optional<std::string_view> type;
    std::optional<std::string_view> text;
    bool read = util::for_each_field(block, [&](std::string_view name, ondemand::value field) {
      return name == "type"   ? util::read_string(field, k_max_depth - 3, type)
             : name == "text" ? util::read_string(field, k_max_depth - 3, text)
                              : util::check_json_value(field, k_max_depth - 3);
    });
    if (read && type == "text" && text) {
      joined += *text;
    }
    return read;
  });
}

// "content": the joined text when it is an array, nullopt otherwise.
bool read_content(ondemand::value value, std::optional<std::string>& answer) {
  answer.reset();
  return util::if_array(value, k_max_depth - 1, [&](ondemand::array& blocks) {
    std::string joined;
    bool read = util::for_each_element(
        blocks, [&](ondemand::value block, bool) { return read_block(block, joined); });
    if (read) {
      answer = std::move(joined);
    }
    return read;
  });
}

// --- OpenAI: {"choices": [{"message": {"content": "..."}}, ...]} ---

// "content": a string's text, empty for null, nullopt for anything else.
bool read_message_content(ondemand::value value, std::optional<std::string>& answer) {
  auto type = util::json_type_of(value);
  if (!type) {
    return false;
  }
  if (*type == ondemand::json_type::string) {
    std::string_view text;
    if (value.get_string().get(text)) {
      return false;
    }
    answer = std::string(text);
    return true;
  }
  answer =
      *type == ondemand::json_type::null ? std::optional<std::string>(std::string()) : std::nullopt;
  return util::check_json_value(value, k_max_depth - 4);
}

// "message": its content's answer when it is an object (no content: empty).
bool read_message(ondemand::value value, std::optional<std::string>& answer) {
  answer.reset();
  return util::if_object(value, k_max_depth - 3, [&](ondemand::object& message) {
    answer = std::string();
    return util::for_each_field(message, [&](std::string_view name, ondemand::value field) {
      return name == "content" ? read_message_content(field, answer)
                               : util::check_json_value(field, k_max_depth - 4);
    });
  });
}

// The first choice: its message's answer (no message, or not an object:
// nullopt).
bool read_first_choice(ondemand::value value, std::optional<std::string>& answer) {
  answer.reset();
  return util::if_object(value, k_max_depth - 2, [&](ondemand::object& choice) {
    return util::for_each_field(choice, [&](std::string_view name, ondemand::value field) {
      return name == "message" ? read_message(field, answer)
                               : util::check_json_value(field, k_max_depth - 3);
    });
  });
}

// "choices": the first choice's answer; empty text for an empty array,
// nullopt for anything but an array.
bool read_choices(ondemand::value value, std::optional<std::string>& answer) {
  answer.reset();
  return util::if_array(value, k_max_depth - 1, [&](ondemand::array& choices) {
    answer = std::string();
    return util::for_each_element(choices, [&](ondemand::value choice, bool first) {
      return first ? read_first_choice(choice, answer)
                   : util::check_json_value(choice, k_max_depth - 2);
    });
  });
}

// The verdict as the plugin's entries give it (util/json_plugin_abi.h).
int to_plugin(const Verdict& verdict, void* context, bridge_json_sink sink) {
  if (!verdict) {
    return BRIDGE_JSON_UNDECIDED;
  }
  if (!*verdict) {
    return 0;
  }
  sink(context, (*verdict)->data(), (*verdict)->size());
  return 1;
}

} // namespace

extern "C" int bridge_json_anthropic_answer(const char* body, std::size_t size, void* context,
                                            bridge_json_sink sink) {
  try {
    return to_plugin(read_top(std::string_view(body, size), "content", read_content), context,
                     sink);
  } catch (...) {
    return BRIDGE_JSON_UNDECIDED;
  }
}

extern "C" int bridge_json_openai_answer(const char* body, std::size_t size, void* context,
                                         bridge_json_sink sink) {
  try {
    return to_plugin(read_top(std::string_view(body, size), "choices", read_choices), context,
                     sink);
  } catch (...) {
    return BRIDGE_JSON_UNDECIDED;
  }
}

} // namespace upstream
