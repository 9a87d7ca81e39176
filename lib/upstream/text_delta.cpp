#include "upstream/text_delta.hpp"

#include "util/json_check.hpp"

#include <nlohmann/json.hpp>

namespace upstream {

namespace {

namespace ondemand = simdjson::ondemand;

// Arrays and objects deeper than this are left to nlohmann (which has no
// limit): a delta has two levels, and the check recurses once per level.
constexpr int k_max_depth = 64;

// The parts of the event that decide its kind. Views into the parser's
// buffer; a repeated name counts by its last value, as in nlohmann's DOM.
struct DeltaFields {
  bool delta_is_object = false;
  std::optional<std::string_view> type; // set when "type" is a string
  std::optional<std::string_view> text; // set when "text" is a string
};

// The value, if it is a string; `out` is reset for any other (checked) value.
bool read_text(ondemand::value value, std::optional<std::string_view>& out) {
  out.reset();
  ondemand::json_type type;
  if (value.type().get(type)) {
    return false;
  }
  if (type != ondemand::json_type::string) {
    return util::check_json_value(value, k_max_depth - 2);
  }
  std::string_view text;
  if (value.get_string().get(text)) {
    return false;
  }
  out = text;
  return true;
}

bool read_delta(ondemand::value value, DeltaFields& fields) {
  fields = {};
  ondemand::json_type type;
  if (value.type().get(type)) {
    return false;
  }
  if (type != ondemand::json_type::object) {
    return util::check_json_value(value, k_max_depth - 1);
  }
  fields.delta_is_object = true;
  ondemand::object delta;
  if (value.get_object().get(delta)) {
    return false;
  }
  for (auto member : delta) {
    ondemand::field field;
    std::string_view name;
    if (std::move(member).get(field) || field.unescaped_key().get(name)) {
      return false;
    }
    bool read = name == "type"   ? read_text(field.value(), fields.type)
                : name == "text" ? read_text(field.value(), fields.text)
                                 : util::check_json_value(field.value(), k_max_depth - 2);
    if (!read) {
      return false;
    }
  }
  return true;
}

// One parser for the whole stream: it keeps its buffers from one event to
// the next. The event's data is copied into a buffer with the padding
// simdjson reads past the end (a copy of one event costs far less than
// parsing it).
class DeltaReader {
public:
  // The kind, with the text appended to `out`; nullopt when simdjson refuses
  // the text and the full parser must decide.
  std::optional<DeltaKind> read(std::string_view data, std::string& out) {
    m_buffer.assign(data);
    m_buffer.resize(data.size() + simdjson::SIMDJSON_PADDING);
    simdjson::padded_string_view padded(m_buffer.data(), data.size(), m_buffer.size());
    ondemand::document document;
    ondemand::json_type type;
    if (m_parser.iterate(padded).get(document) || document.type().get(type)) {
      return std::nullopt;
    }
    if (type != ondemand::json_type::object) {
      return std::nullopt; // malformed, or invalid: the full parser says
    }
    ondemand::object top;
    if (document.get_object().get(top)) {
      return std::nullopt;
    }
    DeltaFields fields;
    for (auto member : top) {
      ondemand::field field;
      std::string_view name;
      if (std::move(member).get(field) || field.unescaped_key().get(name)) {
        return std::nullopt;
      }
      bool read = name == "delta" ? read_delta(field.value(), fields)
                                  : util::check_json_value(field.value(), k_max_depth - 1);
      if (!read) {
        return std::nullopt;
      }
    }
    if (!util::json_document_ends(document)) {
      return std::nullopt;
    }
    // The order of decode_text_delta_slow's checks.
    if (!fields.delta_is_object) {
      return DeltaKind::malformed;
    }
    if (fields.type != "text_delta") {
      return DeltaKind::other;
    }
    if (!fields.text) {
      return DeltaKind::malformed;
    }
    out += *fields.text;
    return DeltaKind::text;
  }

private:
  ondemand::parser m_parser;
  std::string m_buffer;
};

} // namespace

DeltaKind decode_text_delta_slow(std::string_view data, std::string& text) {
  auto parsed = nlohmann::json::parse(data, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return DeltaKind::malformed;
  }
  auto delta = parsed.find("delta");
  if (delta == parsed.end() || !delta->is_object()) {
    return DeltaKind::malformed;
  }
  auto type = delta->find("type");
  if (type == delta->end() || !type->is_string() ||
      type->get_ref<const std::string&>() != "text_delta") {
    return DeltaKind::other;
  }
  auto value = delta->find("text");
  if (value == delta->end() || !value->is_string()) {
    return DeltaKind::malformed;
  }
  text = value->get<std::string>();
  return DeltaKind::text;
}

DeltaKind decode_text_delta(std::string_view data, std::string& text) {
  text.clear();
  return append_text_delta(data, text);
}

DeltaKind append_text_delta(std::string_view data, std::string& out) {
  // `stream` decodes on one thread; the reader is made on first use.
  static DeltaReader reader;
  if (auto kind = reader.read(data, out)) {
    return *kind;
  }
  std::string text;
  DeltaKind kind = decode_text_delta_slow(data, text);
  if (kind == DeltaKind::text) {
    out += text;
  }
  return kind;
}

} // namespace upstream
