#include "state/file/path_safety.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using state::foreign_file_problem;
using state::state_location_problem;

namespace {

// A uid that no file of ours has; only root can give files to it.
constexpr uid_t k_other_uid = 54321;

bool mentions(const std::optional<std::string>& problem, const std::string& text) {
  return problem && problem->find(text) != std::string::npos;
}

} // namespace

TEST_CASE("path_safety: a private directory, existing or not yet made, is fine") {
  test::TempDir dir;
  CHECK_FALSE(state_location_problem(dir / "state.json"));
  CHECK_FALSE(state_location_problem(dir / "a/b/c/state.json"));
  test::write_file(dir / "state.json", "{}");
  test::write_file(dir / "state.json.lock", "");
  test::write_file(dir / "state.json.corrupt", "x");
  CHECK_FALSE(state_location_problem(dir / "state.json"));
  CHECK_FALSE(state_location_problem(dir / "sub/../state.json"));
}

TEST_CASE("path_safety: a directory writable by others is refused unless sticky") {
  test::TempDir dir;
  auto shared = dir / "shared";
  REQUIRE(::mkdir(shared.c_str(), 0700) == 0);
  for (mode_t mode : {0777, 0770, 0707, 0730}) {
    CAPTURE(mode);
    REQUIRE(::chmod(shared.c_str(), mode) == 0);
    auto problem = state_location_problem(shared + "/state.json");
    CHECK(mentions(problem, "writable by other users"));
    CHECK(mentions(problem, "chmod go-w " + shared));
    // A directory below it is just as replaceable.
    CHECK(mentions(state_location_problem(shared + "/below/state.json"), shared));
  }
  REQUIRE(::chmod(shared.c_str(), 01777) == 0);
  CHECK_FALSE(state_location_problem(shared + "/state.json"));
  REQUIRE(::chmod(shared.c_str(), 0755) == 0);
  CHECK_FALSE(state_location_problem(shared + "/state.json"));
}

TEST_CASE("path_safety: symbolic links to the state, lock or set-aside file are refused") {
  test::TempDir dir;
  test::write_file(dir / "elsewhere", "{}");
  for (const char* name : {"state.json", "state.json.lock", "state.json.corrupt"}) {
    CAPTURE(std::string(name));
    REQUIRE(::symlink((dir / "elsewhere").c_str(), (dir / name).c_str()) == 0);
    CHECK(mentions(state_location_problem(dir / "state.json"), "symbolic link"));
    REQUIRE(::unlink((dir / name).c_str()) == 0);
  }
  // Even a dangling one: the lock would be created through it.
  REQUIRE(::symlink((dir / "nowhere").c_str(), (dir / "state.json.lock").c_str()) == 0);
  CHECK(mentions(state_location_problem(dir / "state.json"), "symbolic link"));
}

TEST_CASE("path_safety: directory symbolic links are followed and their targets checked") {
  test::TempDir dir;
  auto good = dir / "good";
  auto open_dir = dir / "open";
  REQUIRE(::mkdir(good.c_str(), 0700) == 0);
  REQUIRE(::mkdir(open_dir.c_str(), 0777) == 0);
  REQUIRE(::chmod(open_dir.c_str(), 0777) == 0);
  REQUIRE(::symlink(good.c_str(), (dir / "to-good").c_str()) == 0);
  REQUIRE(::symlink("open", (dir / "to-open").c_str()) == 0);
  CHECK_FALSE(state_location_problem(dir / "to-good/state.json"));
  CHECK(mentions(state_location_problem(dir / "to-open/state.json"), open_dir));
  // The files are looked for where the link leads.
  REQUIRE(::symlink("x", (good + "/state.json").c_str()) == 0);
  CHECK(mentions(state_location_problem(dir / "to-good/state.json"), good + "/state.json"));
  // A loop ends with a message, not a hang.
  REQUIRE(::symlink("loop2", (dir / "loop1").c_str()) == 0);
  REQUIRE(::symlink("loop1", (dir / "loop2").c_str()) == 0);
  CHECK(mentions(state_location_problem(dir / "loop1/state.json"), "too many levels"));
}

TEST_CASE("path_safety: files, directories and links of another user are refused (root only)") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: only root can give a file to another user");
    return;
  }
  test::TempDir dir;
  for (const char* name : {"state.json", "state.json.lock", "state.json.corrupt"}) {
    CAPTURE(std::string(name));
    test::write_file(dir / name, "{}");
    REQUIRE(::chown((dir / name).c_str(), k_other_uid, k_other_uid) == 0);
    CHECK(mentions(state_location_problem(dir / "state.json"),
                   "belongs to another user (uid 54321)"));
    REQUIRE(::unlink((dir / name).c_str()) == 0);
  }
  auto theirs = dir / "theirs";
  REQUIRE(::mkdir(theirs.c_str(), 0700) == 0);
  REQUIRE(::chown(theirs.c_str(), k_other_uid, k_other_uid) == 0);
  CHECK(mentions(state_location_problem(theirs + "/state.json"), "belongs to another user"));
  // Their link in a sticky directory, pointing at a directory of ours.
  auto sticky = dir / "sticky";
  auto ours = dir / "ours";
  REQUIRE(::mkdir(sticky.c_str(), 0700) == 0);
  REQUIRE(::chmod(sticky.c_str(), 01777) == 0);
  REQUIRE(::mkdir(ours.c_str(), 0700) == 0);
  REQUIRE(::symlink(ours.c_str(), (sticky + "/shared").c_str()) == 0);
  REQUIRE(::lchown((sticky + "/shared").c_str(), k_other_uid, k_other_uid) == 0);
  CHECK(mentions(state_location_problem(sticky + "/shared/state.json"),
                 "symbolic link owned by another user"));
}

TEST_CASE("foreign_file_problem: an open file of ours passes, another user's does not") {
  test::TempDir dir;
  test::write_file(dir / "lock", "");
  int fd = ::open((dir / "lock").c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  CHECK_FALSE(foreign_file_problem(fd, dir / "lock"));
  if (::geteuid() == 0) {
    REQUIRE(::fchown(fd, k_other_uid, k_other_uid) == 0);
    CHECK(mentions(foreign_file_problem(fd, dir / "lock"), "belongs to another user"));
  }
  ::close(fd);
}

TEST_CASE("open_side_file: a regular file opens, a missing one is no problem, a FIFO or a "
          "directory is refused without blocking") {
  test::TempDir dir;
  std::string problem = "left over";
  CHECK(state::open_side_file(dir / "state.json.journal", O_RDONLY, problem) < 0);
  CHECK(problem.empty()); // missing
  int fd =
      state::open_side_file(dir / "state.json.journal", O_WRONLY | O_APPEND | O_CREAT, problem);
  CHECK(fd >= 0);
  CHECK(problem.empty());
  ::close(fd);
  struct stat st {};
  REQUIRE(::stat((dir / "state.json.journal").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  // Neither open blocks: a FIFO with no one at the other end, for reading
  // and for writing.
  REQUIRE(::mkfifo((dir / "state.json.claims").c_str(), 0600) == 0);
  for (int flags : {O_RDONLY, O_RDWR | O_CREAT, O_WRONLY | O_APPEND | O_CREAT}) {
    CHECK(state::open_side_file(dir / "state.json.claims", flags, problem) < 0);
    CHECK(mentions(problem, "state.json.claims: not a regular file"));
  }
  REQUIRE(::mkdir((dir / "state.json.lock").c_str(), 0700) == 0);
  CHECK(state::open_side_file(dir / "state.json.lock", O_RDONLY, problem) < 0);
  CHECK(mentions(problem, "state.json.lock: not a regular file"));
}
