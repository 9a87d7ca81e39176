#pragma once

// What a prompt cache keys on, and the rule for a prompt that could be
// cached at all (docs/marks.md, "Affinity"). The rule is inline, header
// only: the mock upstream (tests/mock) reports cache counts by the same
// rule without linking bridge's libraries.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace upstream {

// The shortest prefix an upstream caches on its own: about 1024 tokens.
inline constexpr std::size_t k_min_cached_prefix = 4096;

// Whether a prompt whose prefix (prompt_prefix) is `prefix_bytes` long could
// be found in a prompt cache: a long enough prefix, or a body that marks a
// cache breakpoint ("cache_control") itself.
inline bool could_be_cached(std::size_t prefix_bytes, std::string_view body) {
  return prefix_bytes >= k_min_cached_prefix ||
         body.find("\"cache_control\"") != std::string_view::npos;
}

// The longest conversation id a client may name (a header, or a field of
// its body): a UUID is 36 bytes, Claude Code's metadata.user_id about 150.
// A longer one is ignored, so that its hashing costs a bounded time.
inline constexpr std::size_t k_max_conversation_id = 512;

// The part of a request body a prompt cache keys on, as one canonical JSON
// text: the model, "system", "tools" and the first of "messages" (for an
// OpenAI body, whose system prompt is a message, the first message that is
// not a system or developer one as well); for OpenAI's Responses API,
// "instructions" and the first of "input" likewise (or "input" itself, a
// text). Two bodies of the same conversation give the same text turn after
// turn. Empty for a body that is not a JSON object or names none of them.
std::string prompt_prefix(std::string_view body);

// What a body says of the conversation it belongs to, read in one parse.
struct PromptKey {
  // The conversation its client names, when asked for and named: the
  // Anthropic "metadata": {"user_id"}, else OpenAI's "prompt_cache_key",
  // else its "user"; a non-empty string of at most k_max_conversation_id
  // bytes.
  std::optional<std::string> conversation;
  // prompt_prefix(body), when no conversation was found.
  std::string prefix;
};
PromptKey prompt_key(std::string_view body, bool named_conversation);

} // namespace upstream
