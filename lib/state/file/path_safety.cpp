#include "state/file/path_safety.hpp"

#include "state/file/state_paths.hpp"

#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace state {

namespace {

// As many symbolic links as the kernel follows in one path (MAXSYMLINKS).
constexpr int k_max_links = 40;

constexpr const char* k_fix = "point --state (or BRIDGE_STATE) at a directory of your own, such as "
                              "the default ~/.local/state/bridge";

bool trusted_owner(uid_t owner) { return owner == ::geteuid() || owner == 0; }

std::string join(const std::string& directory, const std::string& name) {
  // Appends rather than "/" + name, which GCC 12 flags with a false
  // -Wrestrict warning.
  std::string out = directory;
  if (out.empty() || out.back() != '/') {
    out += '/';
  }
  out += name;
  return out;
}

std::string parent_of(const std::string& directory) {
  auto slash = directory.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : directory.substr(0, slash);
}

// Appends the components of `path` to the front of `todo`, in order.
void push_components(std::deque<std::string>& todo, const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string::npos) {
      slash = path.size();
    }
    if (slash > start) {
      parts.push_back(path.substr(start, slash - start));
    }
    start = slash + 1;
  }
  todo.insert(todo.begin(), parts.begin(), parts.end());
}

std::optional<std::string> directory_problem(const std::string& directory, const struct stat& st) {
  if (!trusted_owner(st.st_uid)) {
    return fmt::format("the state directory {} belongs to another user (uid {}), who could replace "
                       "or plant the state file; {}",
                       directory, st.st_uid, k_fix);
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0) {
    return fmt::format(
        "the directory {} is writable by other users (mode {:04o}) and not sticky, so "
        "they could replace or plant the state file; run 'chmod go-w {}' or {}",
        directory, st.st_mode & 07777, directory, k_fix);
  }
  return std::nullopt;
}

// Walks the directory part of `path` as the kernel resolves it, checking each
// directory it looks a name up in and each symbolic link it follows. On
// success `resolved` is the state file's directory, or empty when part of
// the way does not exist yet.
std::optional<std::string> walk_directories(const std::string& directory, std::string& resolved) {
  std::deque<std::string> todo;
  push_components(todo, directory);
  std::string current = "/";
  struct stat st {};
  if (::stat("/", &st) == 0) {
    if (auto problem = directory_problem("/", st)) {
      return problem;
    }
  }
  int links = 0;
  while (!todo.empty()) {
    std::string name = todo.front();
    todo.pop_front();
    if (name == ".") {
      continue;
    }
    if (name == "..") {
      current = parent_of(current); // an ancestor: checked on the way down
      continue;
    }
    std::string next = join(current, name);
    if (::lstat(next.c_str(), &st) != 0) {
      // Missing: created later with mode 0700 inside `current`, which
      // passed. Any other error shows when the file is used.
      return std::nullopt;
    }
    if (S_ISLNK(st.st_mode)) {
      if (!trusted_owner(st.st_uid)) {
        return fmt::format("{} (on the way to the state file) is a symbolic link owned by another "
                           "user (uid {}), who could point it at a directory of yours; {}",
                           next, st.st_uid, k_fix);
      }
      if (++links > k_max_links) {
        return fmt::format("{}: too many levels of symbolic links; {}", next, k_fix);
      }
      std::string target(PATH_MAX, '\0');
      ssize_t length = ::readlink(next.c_str(), target.data(), target.size());
      if (length < 0) {
        return std::nullopt;
      }
      target.resize(static_cast<std::size_t>(length));
      if (!target.empty() && target.front() == '/') {
        current.assign(1, '/'); // (= "/" draws a false -Wrestrict from GCC 12)
      }
      push_components(todo, target);
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      return std::nullopt; // not a directory: using the file fails with a clear error
    }
    if (auto problem = directory_problem(next, st)) {
      return problem;
    }
    current = next;
  }
  resolved = current;
  return std::nullopt;
}

std::optional<std::string> file_problem(const std::string& file, const char* what) {
  struct stat st {};
  if (::lstat(file.c_str(), &st) != 0) {
    return std::nullopt; // absent (or unreachable: using it reports that)
  }
  if (S_ISLNK(st.st_mode)) {
    return fmt::format("the {} {} is a symbolic link, which bridge never follows (another user "
                       "could aim it at a file of yours); remove it, or {}",
                       what, file, k_fix);
  }
  if (st.st_uid != ::geteuid()) {
    return fmt::format("the {} {} belongs to another user (uid {}), who could plant marks in it or "
                       "hold it; remove it (as its owner), or {}",
                       what, file, st.st_uid, k_fix);
  }
  return std::nullopt;
}

} // namespace

std::optional<std::string> state_location_problem(const std::string& path) {
  bool settled = false;
  return state_location_problem(path, settled);
}

std::optional<std::string> state_location_problem(const std::string& path, bool& settled) {
  settled = false;
  std::string absolute = path;
  if (absolute.empty() || absolute.front() != '/') {
    std::string cwd(PATH_MAX, '\0');
    if (::getcwd(cwd.data(), cwd.size()) == nullptr) {
      return fmt::format("cannot tell the working directory for the state file {}: {}", path,
                         std::strerror(errno));
    }
    cwd.resize(std::strlen(cwd.c_str()));
    absolute = join(cwd, absolute);
  }
  auto slash = absolute.rfind('/');
  std::string directory = slash == 0 ? "/" : absolute.substr(0, slash);
  std::string name = absolute.substr(slash + 1);
  std::string resolved;
  if (auto problem = walk_directories(directory, resolved)) {
    return problem;
  }
  if (resolved.empty()) {
    return std::nullopt; // the directory does not exist yet, so neither do the files
  }
  // The files are looked at in the directory the walk resolved, which is
  // where the kernel finds them.
  for (const auto& [suffix, what] : StatePaths::k_all) {
    if (auto problem = file_problem(join(resolved, name + std::string(suffix)), what)) {
      return problem;
    }
  }
  // In a directory others may write to (a sticky one, as /tmp), a file of
  // theirs may appear beside the state file at any time.
  struct stat st {};
  settled = ::stat(resolved.c_str(), &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
  return std::nullopt;
}

std::optional<std::string> foreign_owner_problem(uid_t owner, const std::string& path) {
  if (owner == ::geteuid()) {
    return std::nullopt;
  }
  return fmt::format("{} belongs to another user (uid {}); remove it (as its owner), or {}", path,
                     owner, k_fix);
}

std::optional<std::string> foreign_file_problem(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return fmt::format("{}: {}", path, std::strerror(errno));
  }
  return foreign_owner_problem(st.st_uid, path);
}

int open_side_file(const std::string& path, int flags, std::string& problem) {
  problem.clear();
  int fd = ::open(path.c_str(), flags | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
  if (fd < 0) {
    int error = errno;
    if (error == ENXIO) {
      // A FIFO with no reader, opened for writing, or a socket.
      problem = fmt::format("{}: not a regular file; remove it", path);
    } else if (error != ENOENT || (flags & O_CREAT) != 0) {
      problem = fmt::format("{}: {}", path, std::strerror(error));
    }
    errno = error;
    return -1;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    problem = fmt::format("{}: {}", path, std::strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    problem = fmt::format("{}: not a regular file; remove it", path);
  } else if (auto foreign = foreign_owner_problem(st.st_uid, path)) {
    problem = *foreign; // planted since state_location_problem() looked
  } else {
    return fd;
  }
  ::close(fd);
  errno = EINVAL;
  return -1;
}

} // namespace state
