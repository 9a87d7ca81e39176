#pragma once

// The listener's rules on HTTP headers and paths, apart from any server
// library: which client requests carry the token, which headers cross to
// the upstream and back, and which paths name an object bound to one key.
// Pure functions, tested on their own (tests/unit/listener_http_test.cpp).

#include "upstream/headers.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace app {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Whether `headers` carry `token` as `x-api-key: TOKEN` or
// `authorization: Bearer TOKEN`. The comparison takes the same time
// whatever the position of the first differing byte. An empty token
// matches nothing.
bool carries_token(const HeaderList& headers, std::string_view token);

// Whether `a` and `b` are equal, in a time that depends on their lengths
// only.
bool constant_time_equal(std::string_view a, std::string_view b);

// The client's headers that go on to the upstream, as "name: value": every
// header but the hop-by-hop ones (RFC 9110 7.6.1, and those `connection`
// names), the client's credentials (x-api-key, authorization), host,
// content-length (the transport sets it) and accept-encoding (the answer is
// relayed as the upstream sends it, so it is asked for uncompressed).
std::vector<std::string> forwarded_headers(const HeaderList& headers);

// The upstream's response headers that go back to the client: every header
// but the hop-by-hop ones and content-length (the server sets the framing).
HeaderList relayed_headers(const upstream::Headers& headers);

// Whether a path (after the provider's prefix, query included) names an
// object that lives under the key that created it: message batches and
// files (/v1/messages/batches, /v1/files, and OpenAI's /files, /batches,
// /uploads). The listener refuses them: another key would not find the
// object, or would own what the client creates.
bool key_bound_path(std::string_view path);

// Whether a path (after the provider's prefix, query included) asks for a
// model's answer, which a prompt cache serves: /v1/messages,
// /v1/chat/completions, /v1/responses. Only those walks prefer the key of
// an affinity (docs/marks.md, "Affinity"); a token count reads no cache.
bool prompt_path(std::string_view path);

// The session a client names in a header: `x-claude-code-session-id`
// (Claude Code sends it on every request), when it is not empty and at
// most upstream::k_max_conversation_id bytes long (a longer one is
// ignored: its hashing stays bounded). Its value is for the affinity
// hash only: never printed, logged or stored.
std::optional<std::string> client_session(const HeaderList& headers);

// The path of `target` without its query.
std::string_view path_of(std::string_view target);

} // namespace app
