#pragma once

#include "util/expected.hpp"

#include <string>
#include <string_view>

namespace state {

// Replaces the file at `path` with `data` so that a reader sees the old file
// or the new one, never a torn one, even if we are killed half-way: the data
// goes to a temporary file in the same directory ("<name>.tmp.XXXXXX"), is
// fsync'ed and renamed over `path` (the directory is not fsync'ed: see the
// .cpp). The file gets
// `mode`. On failure the temporary file is removed and `path` is untouched.
util::Expected<bool> write_atomically(const std::string& path, std::string_view data,
                                      unsigned mode);

// Removes temporary files left by writers that were killed before their
// rename. Only safe while holding the state lock (writers create temporary
// files only under it).
void remove_stale_temporaries(const std::string& path);

// Creates the directory of `path` and any missing parents with mode 0700.
util::Expected<bool> make_parent_directories(const std::string& path);

} // namespace state
