#pragma once

// The prompt-cache affinity of one send (docs/marks.md, "Affinity"), for
// `ask` and `stream` and for the listener's clients: one rule for both.

#include <optional>
#include <string>

namespace app {

// Whether the body may name its conversation itself: the listener's
// clients do (metadata.user_id, prompt_cache_key, user: see
// upstream::PromptKey); a body `ask` built, or read from --request, does
// not: --session names it.
enum class BodyNames { ignored, read };

// What a walk prefers a key for: a SHA-256 of the session when one is given
// (--session, or the session header of a listener's client), else of the
// conversation the body names (when `names` is read), else of the prompt's
// prefix in the body as sent (upstream::prompt_prefix), as hex; never the
// name or the prompt itself. Empty (no affinity: the plain walk) when none
// of them is given and the prefix could not be cached anyway
// (upstream::could_be_cached).
std::string affinity_id(const std::optional<std::string>& session, const std::string& body,
                        BodyNames names = BodyNames::ignored);

} // namespace app
