#pragma once

// The rule every fast JSON reader of bridge follows (the state file's marks,
// the Anthropic stream's text deltas, the OpenAI stream's chunks): simdjson
// decides alone only the texts it accepts, and nlohmann::json has the last
// word on every other text. A fast reader built on FastJsonReader reads every
// value it does not want through util::check_json_value (json_check.hpp), so
// that it accepts no text nlohmann refuses, and gives the same result as the
// full (nlohmann) reader on every text it accepts; fast_or_full() then puts
// the two together.
#include "util/fast_or_full.hpp"
#include "util/json_check.hpp"
#include "util/json_plugin_abi.h"

#include <optional>
#include <simdjson.h>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace util {

// One simdjson parser and its padded buffer, kept from one text to the next
// (a stream reads thousands of small texts; a copy of one costs far less than
// parsing it).
class FastJsonReader {
public:
  // Parses `text` and gives its top-level object in `top` (valid until the
  // next call). False when simdjson refuses the text or its top-level value
  // is not an object: the full reader must decide. After the object's
  // members were read through, json_document_ends(document) says whether
  // the text ends there.
  bool top_object(std::string_view text, ondemand::document& document, ondemand::object& top);

private:
  ondemand::parser m_parser;
  std::string m_buffer;
};

// The pieces every fast reader is made of. Each takes `levels`, what
// check_json_value may still enter for a value it does not want (see there),
// and each returns false when the text is invalid where it read.

// `value`'s type; nullopt when simdjson cannot tell (an invalid text).
std::optional<ondemand::json_type> json_type_of(ondemand::value& value);

// What open_value found: the value opened as asked, another value (read
// through, checked), or an invalid text.
enum class Opened { opened, other, invalid };
Opened open_value(ondemand::value& value, int levels, ondemand::object& object);
Opened open_value(ondemand::value& value, int levels, ondemand::array& array);

// Reads `value`: an object (or an array, by the type of `on_open`'s
// argument) by `on_open`, any other value through (checked). The result is
// on_open's, or whether the other value was valid.
template <typename Container, typename OnOpen>
bool if_opened(ondemand::value value, int levels, OnOpen&& on_open) {
  Container container;
  switch (open_value(value, levels, container)) {
  case Opened::invalid:
    return false;
  case Opened::other:
    return true;
  case Opened::opened:
    break;
  }
  return on_open(container);
}

template <typename OnObject>
bool if_object(ondemand::value value, int levels, OnObject&& on_object) {
  return if_opened<ondemand::object>(value, levels, std::forward<OnObject>(on_object));
}

template <typename OnArray> bool if_array(ondemand::value value, int levels, OnArray&& on_array) {
  return if_opened<ondemand::array>(value, levels, std::forward<OnArray>(on_array));
}

// `value`'s text when it is a string; `out` is reset for any other (checked)
// value.
bool read_string(ondemand::value value, int levels, std::optional<std::string_view>& out);

// Calls `on_field(name, value)` for each member of `object`, in order (a
// repeated name is seen again: the last one counts, as in nlohmann's DOM).
// False when the text is invalid there or `on_field` says so.
template <typename OnField> bool for_each_field(ondemand::object& object, OnField&& on_field) {
  for (auto member : object) {
    ondemand::field field;
    std::string_view name;
    if (std::move(member).get(field) || field.unescaped_key().get(name) ||
        !on_field(name, field.value())) {
      return false;
    }
  }
  return true;
}

// Calls `on_element(value, first)` for each element of `array`, in order.
// False when the text is invalid there or `on_element` says so.
template <typename OnElement>
bool for_each_element(ondemand::array& array, OnElement&& on_element) {
  bool first = true;
  for (auto element : array) {
    ondemand::value value;
    if (std::move(element).get(value) || !on_element(value, first)) {
      return false;
    }
    first = false;
  }
  return true;
}

// The plugin entry (json_plugin_abi.h) of a stream's reader: `Reader::read
// (data, out)` gives the event's kind (nullopt: the full reader decides) and
// appends the text of a `Kind::text` event to `out`. A stream decodes on one
// thread; its reader is made on first use and keeps its buffers.
template <typename Reader>
int read_stream_event(std::string_view data, void* context, bridge_json_sink sink) {
  try {
    static Reader reader;
    static std::string text;
    text.clear();
    auto kind = reader.read(data, text);
    if (!kind) {
      return BRIDGE_JSON_UNDECIDED;
    }
    if (*kind == std::remove_reference_t<decltype(*kind)>::text) {
      sink(context, text.data(), text.size());
    }
    return static_cast<int>(*kind);
  } catch (...) {
    return BRIDGE_JSON_UNDECIDED;
  }
}

} // namespace util
