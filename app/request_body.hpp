#pragma once

// The JSON body a send posts, built once per invocation.

#include "console.hpp"
#include "send_options.hpp"
#include "upstream/provider.hpp"

#include <string>

namespace app {

// With --request, that file (or standard input for '-') as it is, with
// "stream" set to match `stream`; otherwise the provider's body for the
// prompt (build_prompt) and the options, the model from --model,
// BRIDGE_MODEL or the provider's default. Throws util::Error (exit 2) for
// --request combined with prompt words or body options, an unreadable or
// invalid --request body, or no prompt.
std::string build_body(const SendOptions& options, bool stream, const Console& console,
                       const upstream::Provider& provider, const std::string& base_url);

} // namespace app
