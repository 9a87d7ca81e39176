#pragma once

// The text of a blocking (non-streamed) answer, as `ask` prints it.
//
// A blocking answer may be tens of megabytes, and `ask` wants only its text,
// so a large one is read with simdjson's On-Demand parser instead of a full
// DOM (answer_text_fast.cpp, in the JSON plugin of util/json_plugin.hpp; an
// answer of ordinary size does not load it and goes to nlohmann), by
// the rule of util/json_reader.hpp: simdjson decides alone only the texts it
// accepts (every value it does not want is still read through), a repeated
// name counts by its last value, and nlohmann::json has the last word on
// anything else. The *_slow functions are that last word, kept apart for the
// tests and the fuzz target fuzz_answer_text, which checks that both paths
// agree on every input.
#include <optional>
#include <string>
#include <string_view>

namespace upstream {

// Anthropic Messages: the "text" of every content block whose "type" is
// "text", joined in order. nullopt when the body is not an object or its
// "content" is not an array; a block that is not a text block adds nothing.
std::optional<std::string> anthropic_answer_text(std::string_view body);
std::optional<std::string> anthropic_answer_text_slow(std::string_view body);

// OpenAI chat completions: choices[0].message.content. Empty text when there
// are no choices or the content is null (a refusal, a tool call); nullopt
// when the body is not an object, "choices" is not an array, the first
// choice or its "message" is not an object, or the content is neither a
// string nor null.
std::optional<std::string> openai_answer_text(std::string_view body);
std::optional<std::string> openai_answer_text_slow(std::string_view body);

} // namespace upstream
