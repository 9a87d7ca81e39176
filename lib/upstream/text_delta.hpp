#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace upstream {

// What a content_block_delta event carries for `stream` to print.
enum class DeltaKind {
  text,      // a text_delta: `text` holds the decoded text
  other,     // a valid delta of another type (input_json_delta, thinking, ...)
  malformed, // not JSON, or not a delta object
};

// Decodes the data of a content_block_delta event. Streams of hundreds of
// megabytes are made of such events, so the common shape the API sends,
//   {"type":"content_block_delta","index":N,"delta":{"type":"text_delta","text":"..."}}
// is read by a direct scan that only decodes the JSON string; any other
// layout (other key order, white space, extra fields) goes through the full
// JSON parser. Both paths give the same answer (a fuzz target checks it).
DeltaKind decode_text_delta(std::string_view data, std::string& text);

// The same, appending the text to `out` (left as it was unless the kind is
// `text`): `stream` decodes straight into its output buffer.
DeltaKind append_text_delta(std::string_view data, std::string& out);

// The full-parser path alone, for tests and the fuzz target.
DeltaKind decode_text_delta_slow(std::string_view data, std::string& text);

} // namespace upstream
