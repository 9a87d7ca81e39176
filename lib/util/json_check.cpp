#include "util/json_check.hpp"

namespace util {

namespace {

// A scalar value, read and so checked.
bool check_scalar(ondemand::value& value, ondemand::json_type type) {
  switch (type) {
  case ondemand::json_type::number: {
    ondemand::number number;
    return !value.get_number().get(number);
  }
  case ondemand::json_type::string: {
    std::string_view text;
    return !value.get_string().get(text);
  }
  case ondemand::json_type::boolean: {
    bool flag = false;
    return !value.get_bool().get(flag);
  }
  case ondemand::json_type::null: {
    // is_null() answers false (not an error) for a word that only starts
    // like null.
    bool null = false;
    return !value.is_null().get(null) && null;
  }
  default:
    return false;
  }
}

bool check_array(ondemand::array array, int levels) {
  for (auto element : array) {
    ondemand::value child;
    if (element.get(child) || !check_json_value(child, levels - 1)) {
      return false;
    }
  }
  return true;
}

bool check_object(ondemand::object object, int levels) {
  for (auto member : object) {
    ondemand::field field;
    std::string_view name;
    // unescaped_key() checks the name's escapes, which key() would not.
    if (std::move(member).get(field) || field.unescaped_key().get(name) ||
        !check_json_value(field.value(), levels - 1)) {
      return false;
    }
  }
  return true;
}

} // namespace

bool check_json_value(ondemand::value value, int levels) {
  ondemand::json_type type;
  if (value.type().get(type)) {
    return false;
  }
  if (type == ondemand::json_type::array) {
    ondemand::array array;
    return levels > 0 && !value.get_array().get(array) && check_array(array, levels);
  }
  if (type == ondemand::json_type::object) {
    ondemand::object object;
    return levels > 0 && !value.get_object().get(object) && check_object(object, levels);
  }
  return check_scalar(value, type);
}

bool json_document_ends(ondemand::document& document) {
  // current_location() fails with OUT_OF_BOUNDS exactly at the end of the text.
  return document.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

} // namespace util
