#include "upstream/openai_chunk.hpp"

// The fast reader is built into the JSON plugin (util/json_plugin.hpp), the
// rest into bridge.
#ifdef BRIDGE_JSON_PLUGIN
#include "util/json_check.hpp"
#include "util/json_plugin_abi.h"
#include "util/json_reader.hpp"
#else
#include "util/fast_or_full.hpp"
#include "util/json_plugin.hpp"
#endif

#include <nlohmann/json.hpp>
#include <optional>

namespace upstream {

#ifdef BRIDGE_JSON_PLUGIN
namespace {

namespace ondemand = simdjson::ondemand;

// Deeper arrays and objects are left to nlohmann (which has no limit).
constexpr int k_max_depth = 64;

// What decides a chunk's kind. Views into the parser's buffer; each member
// read again (a repeated name) starts afresh, so the last one counts, as in
// nlohmann's DOM.
struct ChunkFields {
  bool error = false;
  enum class Choices { absent, not_array, empty, some } choices = Choices::absent;
  bool first_is_object = false;
  bool delta_seen = false;
  bool delta_is_object = false;
  enum class Content { absent, null, string, other } content = Content::absent;
  std::string_view text;
};

bool read_content(ondemand::value value, ChunkFields& fields) {
  auto type = util::json_type_of(value);
  if (!type) {
    return false;
  }
  if (*type == ondemand::json_type::string) {
    fields.content = ChunkFields::Content::string;
    return !value.get_string().get(fields.text);
  }
  if (*type == ondemand::json_type::null) {
    fields.content = ChunkFields::Content::null;
    return !value.is_null().error();
  }
  fields.content = ChunkFields::Content::other;
  return util::check_json_value(value, k_max_depth - 4);
}

bool read_delta(ondemand::value value, ChunkFields& fields) {
  fields.delta_seen = true;
  fields.delta_is_object = false;
  fields.content = ChunkFields::Content::absent;
  return util::if_object(value, k_max_depth - 3, [&](ondemand::object& delta) {
    fields.delta_is_object = true;
    return util::for_each_field(delta, [&](std::string_view name, ondemand::value field) {
      return name == "content" ? read_content(field, fields)
                               : util::check_json_value(field, k_max_depth - 4);
    });
  });
}

bool read_first_choice(ondemand::value value, ChunkFields& fields) {
  return util::if_object(value, k_max_depth - 2, [&](ondemand::object& choice) {
    fields.first_is_object = true;
    return util::for_each_field(choice, [&](std::string_view name, ondemand::value field) {
      return name == "delta" ? read_delta(field, fields)
                             : util::check_json_value(field, k_max_depth - 3);
    });
  });
}

bool read_choices(ondemand::value value, ChunkFields& fields) {
  fields.choices = ChunkFields::Choices::not_array;
  fields.first_is_object = false;
  fields.delta_seen = false;
  fields.delta_is_object = false;
  fields.content = ChunkFields::Content::absent;
  return util::if_array(value, k_max_depth - 1, [&](ondemand::array& choices) {
    fields.choices = ChunkFields::Choices::empty;
    return util::for_each_element(choices, [&](ondemand::value choice, bool first) {
      if (!first) {
        return util::check_json_value(choice, k_max_depth - 2);
      }
      fields.choices = ChunkFields::Choices::some;
      return read_first_choice(choice, fields);
    });
  });
}

// The fast reader of chunks, one for the whole stream (its parser keeps its
// buffers between events); util::fast_or_full pairs it with
// decode_openai_chunk_slow.
class ChunkReader {
public:
  // The kind, with the text appended to `out`; nullopt when simdjson refuses
  // the text and the full parser must decide.
  std::optional<ChunkKind> read(std::string_view data, std::string& out) {
    ondemand::document document;
    ondemand::object top;
    if (!m_json.top_object(data, document, top)) {
      return std::nullopt; // not an object, or refused: the full parser decides
    }
    ChunkFields fields;
    bool read = util::for_each_field(top, [&](std::string_view name, ondemand::value field) {
      if (name == "error") {
        fields.error = true;
      }
      return name == "choices" ? read_choices(field, fields)
                               : util::check_json_value(field, k_max_depth - 1);
    });
    if (!read) {
      return std::nullopt;
    }
    if (!util::json_document_ends(document)) {
      return std::nullopt;
    }
    // The order of decode_openai_chunk_slow's checks.
    if (fields.error) {
      return ChunkKind::error;
    }
    if (fields.choices != ChunkFields::Choices::some) {
      return ChunkKind::ignored;
    }
    if (!fields.first_is_object || !fields.delta_seen || !fields.delta_is_object) {
      return ChunkKind::malformed;
    }
    switch (fields.content) {
    case ChunkFields::Content::absent:
    case ChunkFields::Content::null:
      return ChunkKind::ignored;
    case ChunkFields::Content::other:
      return ChunkKind::malformed;
    case ChunkFields::Content::string:
      break;
    }
    out += fields.text;
    return ChunkKind::text;
  }

private:
  util::FastJsonReader m_json;
};

} // namespace

// The plugin's entry (util/json_plugin_abi.h).
extern "C" int bridge_json_openai_chunk(const char* data, std::size_t size, void* context,
                                        bridge_json_sink sink) {
  return util::read_stream_event<ChunkReader>(std::string_view(data, size), context, sink);
}

#else

ChunkKind decode_openai_chunk_slow(std::string_view data, std::string& text) {
  text.clear();
  auto parsed = nlohmann::json::parse(data, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return ChunkKind::malformed;
  }
  if (parsed.contains("error")) {
    return ChunkKind::error;
  }
  auto choices = parsed.find("choices");
  if (choices == parsed.end() || !choices->is_array() || choices->empty()) {
    return ChunkKind::ignored; // a usage chunk, or one of another kind
  }
  const auto& first = choices->front();
  auto delta = first.is_object() ? first.find("delta") : first.end();
  if (!first.is_object() || delta == first.end() || !delta->is_object()) {
    return ChunkKind::malformed;
  }
  auto content = delta->find("content");
  if (content == delta->end() || content->is_null()) {
    return ChunkKind::ignored;
  }
  if (!content->is_string()) {
    return ChunkKind::malformed;
  }
  text = content->get<std::string>();
  return ChunkKind::text;
}

namespace {
// The plugin's reader (util/json_plugin.hpp); nullopt when there is none or
// simdjson refused the text.
std::optional<ChunkKind> read_fast(std::string_view data, std::string& out) {
  return util::read_kind_with_plugin<ChunkKind>(&bridge_json_api::openai_chunk, data, out);
}
} // namespace

ChunkKind append_openai_chunk(std::string_view data, std::string& out) {
  return util::fast_or_full([&] { return read_fast(data, out); },
                            [&] {
                              std::string text;
                              ChunkKind kind = decode_openai_chunk_slow(data, text);
                              if (kind == ChunkKind::text) {
                                out += text;
                              }
                              return kind;
                            });
}

#endif

} // namespace upstream
