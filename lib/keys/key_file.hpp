#pragma once

#include "keys/key.hpp"
#include "keys/label.hpp" // label_problem, k_max_label_length

#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace keys {

// The largest key file we read. A pool of 10,000 keys is well under 1 MiB;
// anything near this size is a mistake (a log, a binary), not a key file.
inline constexpr std::size_t k_max_key_file_size = 16 * 1024 * 1024;

// Whether a key can travel in the x-api-key header: non-empty, visible ASCII
// only, so that a stray control byte can never split or inject a header line.
bool is_sendable_secret(std::string_view secret);

// Parses the text of a key file (docs/contract.md, keys). Each line that is not blank and
// does not start with '#' is "KEY" or "LABEL KEY"; white space, a UTF-8 BOM
// and CR line ends are ignored; unlabelled keys are named key-1, key-2, … by
// their position among the keys. Throws util::Error (exit 78) naming `path`
// and line numbers — never the line's text — for: no key at all, the same
// key or label twice (both lines), more than two fields, a key with
// characters that cannot travel in an HTTP header, a label that
// label_problem refuses, a shell assignment (NAME=value), a key or label in
// quotes, a line of JSON. A '#' after white space starts a comment that runs
// to the end of the line.
std::vector<Key> parse_key_file(std::string_view text, const std::string& path);

// Reads and parses the key file at `path`. Missing, unreadable, oversized or
// non-regular files throw util::Error (exit 78) with the path and what to do,
// and so do the permissions check_key_file_permissions() refuses. `advice`
// is appended to the message of a file that cannot be read (the caller
// knows what else would work).
std::vector<Key> load_key_file(const std::string& path, std::vector<std::string>& warnings,
                               std::string_view advice = {});

// The key file's mode and owner, as ssh judges its private keys: a file
// owned by someone other than us (or root), or writable by group or others,
// throws util::Error (exit 78) saying how to fix it; one readable by group or
// others adds a warning to `warnings` and is still used.
void check_key_file_permissions(const std::string& path, mode_t mode, uid_t owner,
                                std::vector<std::string>& warnings);

} // namespace keys
