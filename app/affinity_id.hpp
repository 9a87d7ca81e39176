#pragma once

// The prompt-cache affinity of one send (docs/marks.md, "Affinity").

#include <cstddef>
#include <optional>
#include <string>

namespace app {

// The shortest prefix an upstream caches on its own: about 1024 tokens.
inline constexpr std::size_t k_min_cached_prefix = 4096;

// What a walk prefers a key for: a SHA-256 of the session name (--session)
// when one is given, else of the prompt's prefix in the body as sent
// (upstream::prompt_prefix), as hex; never the name or the prompt itself.
// Empty (no affinity: the plain walk) without a session when the prefix
// could not be cached anyway: shorter than k_min_cached_prefix bytes and
// with no "cache_control" in the body.
std::string affinity_id(const std::optional<std::string>& session, const std::string& body);

} // namespace app
