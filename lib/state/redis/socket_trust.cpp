#include "state/redis/socket_trust.hpp"

#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace state {

namespace {

using Owner = util::Expected<uid_t>;

// As many symbolic links as the kernel follows in one path (MAXSYMLINKS).
constexpr int k_max_links = 40;

constexpr const char* k_fix = "use a socket in a directory that only the Redis server's user "
                              "(or root) can write to, such as /run/redis";

bool ours_or_root(uid_t owner) { return owner == ::geteuid() || owner == 0; }

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

std::string join(const std::string& directory, const std::string& name) {
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

struct Step {
  std::string path;
  struct stat st {};
};

// The directories the kernel looks the socket's name up in, in order, and
// the socket itself last; or what is wrong on the way (a link of another
// user, a name that is missing or not a directory).
std::optional<std::string> resolve(const std::string& path, std::vector<Step>& steps) {
  std::deque<std::string> todo;
  push_components(todo, path);
  Step root{"/", {}};
  if (::stat("/", &root.st) != 0) {
    return fmt::format("cannot look at /: {}", std::strerror(errno));
  }
  steps.push_back(root);
  std::string current = "/";
  int links = 0;
  while (!todo.empty()) {
    std::string name = todo.front();
    todo.pop_front();
    if (name == ".") {
      continue;
    }
    if (name == "..") {
      current = parent_of(current);
      continue;
    }
    Step step{join(current, name), {}};
    if (::lstat(step.path.c_str(), &step.st) != 0) {
      return fmt::format("the Redis socket {}: {} ({})", path, std::strerror(errno), step.path);
    }
    if (S_ISLNK(step.st.st_mode)) {
      if (!ours_or_root(step.st.st_uid)) {
        return fmt::format("{} (on the way to the Redis socket {}) is a symbolic link owned by "
                           "another user (uid {}), who could point it at a socket of theirs; {}",
                           step.path, path, step.st.st_uid, k_fix);
      }
      std::string target(PATH_MAX, '\0');
      ssize_t length = ::readlink(step.path.c_str(), target.data(), target.size());
      if (length < 0 || ++links > k_max_links) {
        return fmt::format("the Redis socket {}: cannot follow {}", path, step.path);
      }
      target.resize(static_cast<std::size_t>(length));
      if (!target.empty() && target.front() == '/') {
        current.assign(1, '/');
      }
      push_components(todo, target);
      continue;
    }
    steps.push_back(step);
    if (todo.empty()) {
      break; // the socket itself
    }
    if (!S_ISDIR(step.st.st_mode)) {
      return fmt::format("the Redis socket {}: {} is not a directory", path, step.path);
    }
    current = step.path;
  }
  return std::nullopt;
}

bool open_to_others(const struct stat& st) { return (st.st_mode & (S_IWGRP | S_IWOTH)) != 0; }

} // namespace

Owner trusted_socket_owner(const std::string& path) {
  if (path.empty() || path.front() != '/') {
    return Owner::failure(fmt::format("the Redis socket {} is not an absolute path", path));
  }
  std::vector<Step> steps;
  if (auto problem = resolve(path, steps)) {
    return Owner::failure(*problem);
  }
  if (steps.size() < 2 || !S_ISSOCK(steps.back().st.st_mode)) {
    return Owner::failure(fmt::format("{} is not a unix socket", path));
  }
  uid_t server = steps.back().st.st_uid;
  const Step& home = steps[steps.size() - 2]; // the socket's directory
  for (std::size_t i = 0; i + 1 < steps.size(); ++i) {
    const Step& dir = steps[i];
    if (!ours_or_root(dir.st.st_uid) && dir.st.st_uid != server) {
      return Owner::failure(fmt::format(
          "the directory {} (on the way to the Redis socket) belongs to another user (uid {}), "
          "who could put a socket of theirs there; {}",
          dir.path, dir.st.st_uid, k_fix));
    }
    if (open_to_others(dir.st) && (dir.st.st_mode & S_ISVTX) == 0) {
      return Owner::failure(fmt::format(
          "the directory {} is writable by other users (mode {:04o}) and not sticky, so they "
          "could replace the Redis socket; {}",
          dir.path, dir.st.st_mode & 07777, k_fix));
    }
  }
  if (open_to_others(home.st) && !ours_or_root(server)) {
    return Owner::failure(fmt::format(
        "the Redis socket {} belongs to another user (uid {}) in {}, where every user can create "
        "one: it may not be the Redis server, and would receive the password; {}",
        path, server, home.path, k_fix));
  }
  return server;
}

std::optional<std::string> socket_peer_problem(int fd, const std::string& path, uid_t owner) {
  struct ucred peer {};
  socklen_t size = sizeof peer;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0) {
    return fmt::format("cannot tell who listens on {}: {}", path, std::strerror(errno));
  }
  if (ours_or_root(peer.uid) || peer.uid == owner) {
    return std::nullopt;
  }
  return fmt::format("the process listening on {} (pid {}) runs as another user (uid {}) than "
                     "the socket's owner (uid {}): the socket was replaced; nothing was sent",
                     path, peer.pid, peer.uid, owner);
}

} // namespace state
