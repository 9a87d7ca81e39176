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

} // namespace util
