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
// megabytes are made of such events. The layout the API sends them in
// (`{"type":"content_block_delta","index":N,"delta":{"type":"text_delta",
// "text":"..."}}`, the text without escapes, control or non-ASCII bytes) is
// recognised byte for byte with no parser at all; any other is read with
// simdjson's On-Demand parser, which finds the "delta" object's "type" and "text" in
// any layout. It gives the same answer as the full nlohmann::json path
// (decode_text_delta_slow) on every input, by the rule of the state file's
// reader (state/mark_reader.hpp): simdjson decides alone only what it
// accepts, every value is read through (On-Demand does not check what it
// skips), a repeated name counts by its last value, and anything simdjson
// refuses (invalid JSON, a top-level value that is not an object, a byte
// order mark, a NUL after the value, integers beyond 64 bits, nesting deeper
// than 64 levels) goes to the full parser, which has the last word. The fuzz target fuzz_text_delta
// checks it.
DeltaKind decode_text_delta(std::string_view data, std::string& text);

// The same, appending the text to `out` (left as it was unless the kind is
// `text`): `stream` decodes straight into its output buffer.
DeltaKind append_text_delta(std::string_view data, std::string& out);

// The full-parser path alone, for tests and the fuzz target.
DeltaKind decode_text_delta_slow(std::string_view data, std::string& text);

} // namespace upstream
