#pragma once

#include <optional>
#include <string>
#include <sys/types.h>

namespace state {

// Whether the state file at `path` can be trusted, as ssh judges the files
// it reads (StrictModes). Another user who can write to the state file's
// directory, or to any directory on the way to it, or who owns a symbolic
// link on that way, can replace the directory with a link to one of ours
// (and make us rewrite or rename our files there), plant a state file that
// disables our keys or that no version of bridge accepts, or hold the lock
// so that no mark is ever saved. So:
//   - every directory from / to the state file's directory (following
//     symbolic links as the kernel does) is owned by us or by root and is
//     not writable by group or others, unless it is sticky (as /tmp is);
//   - every symbolic link on the way is owned by us or by root;
//   - the state file, "<path>.lock", "<path>.corrupt" and the journal files
//     ("<path>.journal", "<path>.journal.folding"), the claims ledger
//     ("<path>.claims") and the affinity file ("<path>.affinity"), where
//     they exist,
//     are ours and are not symbolic links.
// A directory that does not exist yet passes (we create it, mode 0700, in a
// directory that passed). Returns nullopt when all holds, else one sentence
// that names what is wrong and how to fix it. Relative paths are taken from
// the working directory. Only the owners and modes are looked at: whether
// we may read or write is found out when we do.
std::optional<std::string> state_location_problem(const std::string& path);
// The same; `settled` tells whether the answer can only change by our
// doing or root's (LocationCheck): true when no problem was found and every
// directory on the way exists (one not made yet could still be made by
// another user first, in a sticky directory), and the state file's own
// directory is not writable by others (sticky or not).
std::optional<std::string> state_location_problem(const std::string& path, bool& settled);

// For a file just opened (with O_NOFOLLOW) as the state, lock or set-aside
// file `path`: nullopt when it is ours, else what is wrong (a file planted by
// another user in a sticky directory between the check above and the open).
std::optional<std::string> foreign_file_problem(int fd, const std::string& path);
// The same for an owner already known (from an fstat of the open file).
std::optional<std::string> foreign_owner_problem(uid_t owner, const std::string& path);

// Opens the file `path` beside the state file (the lock, a journal, the
// claims ledger; `flags` as for open(2), O_CREAT making it with mode 0600)
// the only way bridge opens those: without following a symbolic link,
// without blocking, and only if it is a regular file of ours. A FIFO there
// (planted in a shared sticky directory, or left by mistake) would block
// the open or the first read for good, perhaps while the state lock is
// held. O_NONBLOCK stays set: it changes nothing for a regular file.
// Returns the descriptor, or -1 with `problem` naming the path and what is
// wrong; a missing file (without O_CREAT) is -1 with `problem` empty.
int open_side_file(const std::string& path, int flags, std::string& problem);

} // namespace state
