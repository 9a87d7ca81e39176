#include "state/file/atomic_file.hpp"

#include "util/file.hpp"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace state {

namespace {

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) {
    return ".";
  }
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

} // namespace

util::Expected<bool> write_atomically(const std::string& path, std::string_view data,
                                      unsigned mode) {
  using Result = util::Expected<bool>;
  std::string temp = path + ".tmp.XXXXXX";
  int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) {
    return Result::failure(std::strerror(errno));
  }
  auto fail = [&](int error) {
    ::close(fd);
    ::unlink(temp.c_str());
    return Result::failure(std::strerror(error));
  };
  if (::fchmod(fd, mode) != 0) {
    return fail(errno);
  }
  if (!util::write_all(fd, data)) {
    return fail(errno ? errno : EIO);
  }
  if (::fsync(fd) != 0) {
    return fail(errno);
  }
  if (::close(fd) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    return Result::failure(std::strerror(error));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    return Result::failure(std::strerror(error));
  }
  // The directory is not fsync'ed: readers are safe without it (they see
  // the old file or the new one), and a mark lost to a power cut only costs
  // one more 429. A second fsync per mark doubled the cost of every walk.
  return true;
}

void remove_stale_temporaries(const std::string& path) {
  std::string directory = directory_of(path);
  std::string prefix = base_name(path) + ".tmp.";
  DIR* dir = ::opendir(directory.c_str());
  if (!dir) {
    return;
  }
  while (auto* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name.size() == prefix.size() + 6 && name.substr(0, prefix.size()) == prefix) {
      ::unlinkat(::dirfd(dir), entry->d_name, 0);
    }
  }
  ::closedir(dir);
}

util::Expected<bool> make_parent_directories(const std::string& path) {
  std::string directory = directory_of(path);
  for (std::size_t pos = 1; pos <= directory.size(); ++pos) {
    if (pos != directory.size() && directory[pos] != '/') {
      continue;
    }
    std::string part = directory.substr(0, pos);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
      return util::Expected<bool>::failure(part + ": " + std::strerror(errno));
    }
  }
  return true;
}

} // namespace state
