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

#include <simdjson.h>
#include <string>
#include <string_view>

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

} // namespace util
