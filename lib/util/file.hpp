#pragma once

#include "util/expected.hpp"

#include <string>
#include <sys/types.h>

namespace util {

struct FileContent {
  std::string data;
  mode_t mode = 0;
  uid_t owner = 0;
};

// Reads a whole regular file of at most `max_size` bytes. Errors (missing,
// unreadable, a directory, a symlink loop, too large) come back as a message
// that names the cause but not the path; callers add the path. With
// `follow_links` false, a symbolic link at `path` itself is an error (ELOOP).
Expected<FileContent> read_small_file(const std::string& path, std::size_t max_size,
                                      bool follow_links = true);

// Reads standard input to its end. Stops early (returning what it has) when
// SIGINT arrives; the caller checks util::interrupted().
Expected<std::string> read_stdin(std::size_t max_size);

// Writes all of `data` to a file descriptor, retrying short writes and EINTR.
bool write_all(int fd, std::string_view data);

} // namespace util
