#pragma once

#include <string>
#include <string_view>

namespace app {

// Standard output carries the answer, so a write that fails loses it. Every
// byte bridge prints on stdout goes through write_stdout; the first failure
// is remembered, later writes are skipped, and finish_stdout turns it into
// the exit status when the command is done:
//   - a closed pipe (EPIPE: `bridge stream | head -c 10`) is how a reader
//     says "enough"; bridge stops quietly and exits 141, the status a
//     process killed by SIGPIPE has, as a Unix filter would;
//   - any other failure (ENOSPC, EIO, EBADF, ...) is an error: exit 74
//     (EX_IOERR) with a message that names the cause.
// Failures that only show when the descriptor is closed (NFS, some FUSE
// file systems report ENOSPC there) are caught by finish_stdout's close.

// Called first thing in main. A standard descriptor that was closed
// (`bridge ask hi >&-`) would otherwise be reused by the next open(): the
// answer would be written into the state file or down the HTTP socket. Each
// closed one of 0, 1, 2 is filled with /dev/null; a write to a stdout that
// was closed then fails as it would have (EBADF, exit 74), and a closed
// stdin counts as no input.
void reserve_standard_descriptors();

// Whether standard input was closed when bridge started.
bool stdin_closed();

// Writes all of `bytes`. Returns false when standard output has failed (now
// or earlier); the caller stops producing output.
bool write_stdout(std::string_view bytes);

// Whether a write to standard output has failed.
bool stdout_failed();

// Flushes what C++ streams hold (CLI11 prints --help there), closes
// standard output and returns the exit status: `code` when all went well,
// 141 after a closed pipe, 74 (with a message on stderr) after any other
// write failure.
int finish_stdout(int code);

// The message for a failed write, such as "cannot write to standard output:
// No space left on device".
std::string stdout_failure_message();

} // namespace app
