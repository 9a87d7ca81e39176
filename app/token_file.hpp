#pragma once

// The token of `bridge serve`: one line in a file of its own, made (0600,
// 256 random bits in hex) when missing, so that clients configured once keep
// working across restarts.

#include <string>

namespace app {

// Reads the token in `path`, or creates the file (and its directory, 0700)
// with a new token when there is none. Throws util::Error (exit 78) for a
// file that is empty, not a regular file, or readable by others than its
// owner.
std::string load_or_create_token(const std::string& path);

} // namespace app
