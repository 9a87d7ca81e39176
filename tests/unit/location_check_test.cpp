#include "state/file/location_check.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

// The state file's location, found safe and settled, trusted for a moment
// (lib/state/file/location_check.hpp); a problem, or a location not settled,
// is looked at again every time.

namespace {

const util::TimePoint k_t0{util::Millis{1'700'000'000'000}};

} // namespace

TEST_CASE("location_check: a safe location is trusted for fresh_for, then walked again") {
  test::TempDir dir;
  auto shared = dir / "shared";
  REQUIRE(::mkdir(shared.c_str(), 0700) == 0);
  state::LocationCheck check(util::Millis{1000});
  std::string path = shared + "/state.json";
  CHECK_FALSE(check.problem(path, k_t0));
  REQUIRE(::chmod(shared.c_str(), 0777) == 0);
  CHECK_FALSE(check.problem(path, k_t0 + util::Millis{999})); // remembered
  auto problem = check.problem(path, k_t0 + util::Millis{1000});
  REQUIRE(problem);
  CHECK(problem->find("chmod go-w") != std::string::npos);
  // A problem is not remembered: fixed, the location is fine at once.
  REQUIRE(::chmod(shared.c_str(), 0700) == 0);
  CHECK_FALSE(check.problem(path, k_t0 + util::Millis{1001}));
  // A clock set back does not extend the trust.
  REQUIRE(::chmod(shared.c_str(), 0777) == 0);
  CHECK(check.problem(path, k_t0));
  ::chmod(shared.c_str(), 0700);
}

TEST_CASE("location_check: a directory not made yet, or one others may write to, is not settled") {
  test::TempDir dir;
  state::LocationCheck check(util::Millis{1000});
  auto sub = dir / "sub";
  std::string path = sub + "/state.json";
  CHECK_FALSE(check.problem(path, k_t0)); // fine, but may still be made by someone else
  REQUIRE(::mkdir(sub.c_str(), 0777) == 0);
  ::chmod(sub.c_str(), 0777); // whatever the umask
  CHECK(check.problem(path, k_t0 + util::Millis{1}));
  // Sticky (as /tmp): safe, but a file of another user may appear beside it.
  REQUIRE(::chmod(sub.c_str(), 01777) == 0);
  CHECK_FALSE(check.problem(path, k_t0 + util::Millis{2}));
  REQUIRE(::chmod(sub.c_str(), 0777) == 0);
  CHECK(check.problem(path, k_t0 + util::Millis{3}));
}
