#pragma once

#include <string>
#include <string_view>

namespace upstream {

// What the data of one OpenAI chat.completion.chunk event means for `stream`.
enum class ChunkKind {
  text,      // choices[0].delta.content is a string: appended to the output
  ignored,   // no choices (a usage chunk), or a content that is null or absent
             // (the role chunk, the finish chunk, a tool call)
  malformed, // not a JSON object, or choices[0] / its delta not objects, or a
             // content that is neither string nor null
  error,     // the object has an "error" member: the provider reads it whole
};

// Appends choices[0].delta.content to `out` when the kind is `text` (`out` is
// left as it was otherwise). A stream of hundreds of megabytes is made of
// such chunks, so they are read with simdjson's On-Demand parser, by the rule
// of the Anthropic delta reader (text_delta.hpp): simdjson decides alone only
// what it accepts, every value is read through (On-Demand does not check what
// it skips), a repeated name counts by its last value, and whatever simdjson
// refuses goes to the full parser (decode_openai_chunk_slow), which has the
// last word. The fuzz target fuzz_openai_chunk checks that both agree.
// Measured reason (bench/README.md): with nlohmann alone, `stream` on the
// OpenAI shape ran at 0.38x curl's throughput.
ChunkKind append_openai_chunk(std::string_view data, std::string& out);

// The full-parser path alone (nlohmann::json): for the fuzz target and tests,
// and the fallback of append_openai_chunk. `text` is replaced.
ChunkKind decode_openai_chunk_slow(std::string_view data, std::string& text);

} // namespace upstream
