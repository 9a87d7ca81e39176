#include "util/json_reader.hpp"

namespace util {

bool FastJsonReader::top_object(std::string_view text, ondemand::document& document,
                                ondemand::object& top) {
  // simdjson reads past the end of the text: the copy carries its padding.
  m_buffer.assign(text);
  m_buffer.resize(text.size() + simdjson::SIMDJSON_PADDING);
  simdjson::padded_string_view padded(m_buffer.data(), text.size(), m_buffer.size());
  ondemand::json_type type;
  if (m_parser.iterate(padded).get(document) || document.type().get(type)) {
    return false;
  }
  if (type != ondemand::json_type::object) {
    return false; // not an object, or invalid: the full reader says which
  }
  return !document.get_object().get(top);
}

std::optional<ondemand::json_type> json_type_of(ondemand::value& value) {
  ondemand::json_type type;
  if (value.type().get(type)) {
    return std::nullopt;
  }
  return type;
}

namespace {

// `value` opened as `wanted` into `out` when it is one, else read through.
template <typename Out>
Opened open_as(ondemand::value& value, ondemand::json_type wanted, int levels, Out& out) {
  auto type = json_type_of(value);
  if (!type) {
    return Opened::invalid;
  }
  if (*type != wanted) {
    return check_json_value(value, levels) ? Opened::other : Opened::invalid;
  }
  return value.get(out) ? Opened::invalid : Opened::opened;
}

} // namespace

Opened open_value(ondemand::value& value, int levels, ondemand::object& object) {
  return open_as(value, ondemand::json_type::object, levels, object);
}

Opened open_value(ondemand::value& value, int levels, ondemand::array& array) {
  return open_as(value, ondemand::json_type::array, levels, array);
}

bool read_string(ondemand::value value, int levels, std::optional<std::string_view>& out) {
  out.reset();
  auto type = json_type_of(value);
  if (!type) {
    return false;
  }
  if (*type != ondemand::json_type::string) {
    return check_json_value(value, levels);
  }
  std::string_view text;
  if (value.get_string().get(text)) {
    return false;
  }
  out = text;
  return true;
}

} // namespace util
