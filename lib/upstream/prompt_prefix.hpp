#pragma once

#include <string>
#include <string_view>

namespace upstream {

// The part of a request body a prompt cache keys on, as one canonical JSON
// text: the model, "system", "tools" and the first of "messages" (for an
// OpenAI body, whose system prompt is a message, the first message that is
// not a system one as well). Two bodies of the same conversation give the
// same text turn after turn. Empty for a body that is not a JSON object or
// names none of them.
std::string prompt_prefix(std::string_view body);

} // namespace upstream
