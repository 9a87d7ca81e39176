#include "state/file/state_store.hpp"

#include "state/file/mark_journal.hpp"
#include "state/file/state_document.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <dirent.h>
#include <fcntl.h>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using pool::KeyMark;
using pool::MarkKind;
using state::StateDocument;
using state::StateStore;
using test::at;
using test::ms;

namespace {

const util::TimePoint k_t0 = at("2026-11-26T03:00:00Z");

const keys::Key k_alpha = keys::make_key("alpha", "sk-ant-api03-SECRET-alpha-000000");
const keys::Key k_beta = keys::make_key("beta", "sk-ant-api03-SECRET-beta-111111");
const keys::Key k_gamma = keys::make_key("gamma", "sk-ant-api03-SECRET-gamma-222222");

// Collects the warnings a store gives.
struct Warnings {
  std::vector<std::string> list;
  StateStore::WarningSink sink() {
    return [this](const std::string& message) { list.push_back(message); };
  }
  bool any_mentions(const std::string& text) const {
    return std::any_of(list.begin(), list.end(), [&](const std::string& message) {
      return message.find(text) != std::string::npos;
    });
  }
};

// What most cases start from: an empty directory for the state file, a
// clock that moves only when told, and the warnings the store gives.
struct StoreSetUp {
  test::TempDir dir;
  util::ManualClock clock{k_t0};
  Warnings warnings;
};

// Both ends of a pipe, closed when the object goes.
class Pipe {
public:
  Pipe() { REQUIRE(::pipe2(m_fds, O_CLOEXEC) == 0); }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int read_end() const { return m_fds[0]; }
  int write_end() const { return m_fds[1]; }
  void close_read() { close_fd(m_fds[0]); }
  void close_write() { close_fd(m_fds[1]); }

private:
  static void close_fd(int& fd) {
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
  }
  int m_fds[2] = {-1, -1};
};

// Moves exactly `size` bytes with `io` (::read or a ::write adapter),
// retrying after EINTR; false at end of file or on an error.
template <typename Io, typename Buffer>
bool move_exact(Io io, int fd, Buffer* buffer, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = io(fd, buffer + done, size - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool read_exact(int fd, void* buffer, std::size_t size) {
  return move_exact(::read, fd, static_cast<char*>(buffer), size);
}

bool write_exact(int fd, const void* buffer, std::size_t size) {
  return move_exact(::write, fd, static_cast<const char*>(buffer), size);
}

// Runs `body` in a child process, which exits with its result (never
// returning into the test runner). No doctest assertion may run in `body`.
pid_t fork_child(const std::function<int()>& body) {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 97;
    try {
      code = body();
    } catch (...) {
      code = 98;
    }
    ::_exit(code);
  }
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

bool exited_ok(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

StateDocument parse_state(const std::string& path) {
  StateDocument doc;
  std::string problem;
  auto text = test::read_file(path);
  REQUIRE_MESSAGE(StateDocument::parse(text, doc, problem) == StateDocument::Parse::ok,
                  "state file does not parse: " << problem << "\n"
                                                << text);
  return doc;
}

std::vector<std::string> temporaries_in(const std::string& directory, const std::string& base) {
  std::vector<std::string> found;
  DIR* dir = ::opendir(directory.c_str());
  REQUIRE(dir != nullptr);
  while (auto* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name.rfind(base + ".tmp.", 0) == 0) {
      found.push_back(name);
    }
  }
  ::closedir(dir);
  return found;
}

// A child that holds an exclusive flock on `lock_path` from when it writes a
// byte to `ready` until `release` is closed in the parent.
pid_t hold_lock_in_child(const std::string& lock_path, Pipe& ready, Pipe& release) {
  pid_t pid = fork_child([&] {
    ready.close_read();
    release.close_write();
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || ::flock(fd, LOCK_EX) != 0) {
      return 1;
    }
    char byte = 'L';
    if (!write_exact(ready.write_end(), &byte, 1)) {
      return 2;
    }
    char ignored;
    while (::read(release.read_end(), &ignored, 1) > 0) {
    }
    return 0;
  });
  ready.close_write();
  release.close_read();
  char byte = 0;
  REQUIRE(read_exact(ready.read_end(), &byte, 1));
  REQUIRE(byte == 'L');
  return pid;
}

long long elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               since)
      .count();
}

} // namespace

TEST_CASE_FIXTURE(StoreSetUp, "state store: a missing file loads as no marks, without a warning") {
  StateStore store(dir / "state.json", clock, warnings.sink());
  CHECK(store.load().empty());
  CHECK(warnings.list.empty());
  CHECK(store.path() == dir / "state.json");
}

TEST_CASE_FIXTURE(StoreSetUp, "state store: created with mode 0600, new directories 0700") {
  auto path = dir / "new/sub/state.json";
  StateStore store(path, clock, warnings.sink());
  store.record(k_alpha, KeyMark::cooling(k_t0, ms(30'000), 429, "rate_limit_error"));
  CHECK(warnings.list.empty());
  REQUIRE(test::exists(path));
  CHECK(test::permissions(path) == 0600);
  CHECK(test::permissions(dir / "new") == 0700);
  CHECK(test::permissions(dir / "new/sub") == 0700);
  CHECK((test::permissions(path + ".lock") & 0077) == 0);
}

TEST_CASE_FIXTURE(StoreSetUp,
                  "state store: a state file readable by others is 0600 again after a write") {
  auto path = dir / "state.json";
  test::write_file(path, "{\"version\": 1, \"keys\": {}}\n", 0644);
  StateStore store(path, clock, warnings.sink());
  store.record(k_alpha, KeyMark::disabled(k_t0, 401, ""));
  CHECK(test::permissions(path) == 0600);
}

TEST_CASE_FIXTURE(StoreSetUp, "state store: record then load, across store instances") {
  auto path = dir / "state.json";
  {
    StateStore writer(path, clock, warnings.sink());
    writer.record(k_alpha, KeyMark::cooling(k_t0, ms(30'000), 429, "rate_limit_error"));
    writer.record(k_beta, KeyMark::disabled(k_t0, 401, "authentication_error"));
  }
  StateStore reader(path, clock, warnings.sink());
  auto marks = reader.load();
  REQUIRE(marks.size() == 2);
  const auto& alpha = marks.at(k_alpha.fingerprint).key_wide.value();
  CHECK(alpha.kind == MarkKind::cooling);
  CHECK(alpha.since == k_t0);
  CHECK(alpha.until == k_t0 + ms(30'000));
  CHECK(alpha.status == 429);
  CHECK(alpha.reason == "rate_limit_error");
  const auto& beta = marks.at(k_beta.fingerprint).key_wide.value();
  CHECK(beta.kind == MarkKind::disabled);
  CHECK(beta.status == 401);
  CHECK(warnings.list.empty());

  auto text = test::read_file(path);
  CHECK(text.find(k_alpha.secret) == std::string::npos);
  CHECK(text.find(k_beta.secret) == std::string::npos);
  CHECK(text.find("SECRET") == std::string::npos);
  CHECK(text.find("\"alpha\"") != std::string::npos);
}

TEST_CASE_FIXTURE(StoreSetUp, "state store: record merges with what another process wrote") {
  auto path = dir / "state.json";
  StateStore first(path, clock, warnings.sink());
  StateStore second(path, clock, warnings.sink());
  first.record(k_alpha, KeyMark::cooling(k_t0, ms(120'000), 429, "long"));
  second.record(k_alpha, KeyMark::cooling(k_t0, ms(5'000), 429, "short"));
  second.record(k_beta, KeyMark::cooling(k_t0, ms(5'000), 429, ""));
  auto marks = first.load();
  REQUIRE(marks.size() == 2);
  CHECK(marks.at(k_alpha.fingerprint).key_wide.value().until == k_t0 + ms(120'000));
  CHECK(marks.at(k_alpha.fingerprint).key_wide.value().reason == "long");
}

TEST_CASE_FIXTURE(StoreSetUp, "state store: unknown fields in the file survive a record") {
  auto path = dir / "state.json";
  test::write_file(path, R"({"version": 1, "from_the_future": [1, 2], "keys": {}})");
  StateStore store(path, clock, warnings.sink());
  store.record(k_alpha, KeyMark::disabled(k_t0, 401, ""));
  CHECK(test::read_file(path).find("from_the_future") != std::string::npos);
}

TEST_CASE_FIXTURE(StoreSetUp, "state store: cooldowns that ended are pruned on the next write") {
  auto path = dir / "state.json";
  StateStore store(path, clock, warnings.sink());
  store.record(k_alpha, KeyMark::cooling(k_t0, ms(10'000), 429, ""));
  clock.advance(ms(10'000));
  store.record(k_beta, KeyMark::cooling(clock.now(), ms(10'000), 429, ""));
  auto doc = parse_state(path);
  CHECK(doc.size() == 1);
  CHECK(doc.marks().count(k_beta.fingerprint) == 1);
}

TEST_CASE_FIXTURE(StoreSetUp,
                  "state store: a corrupt file is kept aside with a warning and loads as empty") {
  auto path = dir / "state.json";
  const std::string garbage = "{\"version\": 1, \"keys\": {\"sha256:1\": tru";
  test::write_file(path, garbage);
  StateStore store(path, clock, warnings.sink());
  CHECK(store.load().empty());
  REQUIRE(warnings.list.size() == 1);
  CHECK(warnings.list[0].find(path) != std::string::npos);
  CHECK(warnings.list[0].find('\n') == std::string::npos);
  REQUIRE(test::exists(path + ".corrupt"));
  CHECK(test::read_file(path + ".corrupt") == garbage);
  if (test::exists(path)) {
    CHECK(parse_state(path).size() == 0);
  }
  // And the store works on from there.
  store.record(k_alpha, KeyMark::disabled(k_t0, 401, ""));
  CHECK(store.load().size() == 1);
  CHECK(test::read_file(path + ".corrupt") == garbage);
  CHECK(warnings.list.size() == 1);
}

TEST_CASE("state store: record on a corrupt file keeps it aside and saves the mark") {
  for (std::string garbage :
       {std::string("not json at all"), std::string("[]"), std::string("{\"keys\": {}}"),
        std::string("\0\0\0", 3), std::string()}) {
    CAPTURE(garbage);
    test::TempDir dir;
    util::ManualClock clock(k_t0);
    Warnings warnings;
    auto path = dir / "state.json";
    test::write_file(path, garbage);
    StateStore store(path, clock, warnings.sink());
    store.record(k_alpha, KeyMark::disabled(k_t0, 401, ""));
    CHECK(warnings.list.size() == 1);
    CHECK(test::read_file(path + ".corrupt") == garbage);
    CHECK(parse_state(path).marks().count(k_alpha.fingerprint) == 1);
  }
}

TEST_CASE("state store: a newer version is refused and never rewritten") {
  for (std::string version : {"2", "99", "18446744073709551615"}) {
    CAPTURE(version);
    test::TempDir dir;
    util::ManualClock clock(k_t0);
    Warnings warnings;
    auto path = dir / "state.json";
    const std::string newer = "{\n  \"version\": " + version +
                              ",\n  \"keys\": {\"sha256:x\": {\"mark\": \"new\"}},"
                              "\n  \"future\": true\n}\n";
    test::write_file(path, newer);
    StateStore store(path, clock, warnings.sink());
    std::string message;
    CHECK_BRIDGE_ERROR(store.load(), util::ExitCode::config, message);
    CHECK(message.find(path) != std::string::npos);
    CHECK(test::read_file(path) == newer);

    CHECK_NOTHROW(store.record(k_alpha, KeyMark::disabled(k_t0, 401, "")));
    CHECK(test::read_file(path) == newer);
    CHECK_FALSE(warnings.list.empty());

    CHECK_BRIDGE_ERROR(store.reset_all(), util::ExitCode::config, message);
    CHECK(test::read_file(path) == newer);
    CHECK_FALSE(test::exists(path + ".corrupt"));
    CHECK(temporaries_in(dir.path(), "state.json").empty());
  }
}

TEST_CASE_FIXTURE(StoreSetUp,
                  "state store: an unreadable state file (a directory) warns and goes on") {
  auto path = dir / "state.json";
  REQUIRE(::mkdir(path.c_str(), 0700) == 0);
  StateStore store(path, clock, warnings.sink());
  pool::MarkMap marks;
  CHECK_NOTHROW(marks = store.load());
  CHECK(marks.empty());
  CHECK(warnings.list.size() == 1);
  CHECK(warnings.any_mentions(path));
  CHECK_NOTHROW(store.record(k_alpha, KeyMark::disabled(k_t0, 401, "")));
  CHECK(warnings.list.size() == 2);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
}

TEST_CASE_FIXTURE(StoreSetUp, "state store: a directory that cannot be made warns and goes on") {
  test::write_file(dir / "not-a-directory", "x");
  auto path = dir / "not-a-directory/state.json";
  StateStore store(path, clock, warnings.sink());
  CHECK_NOTHROW(store.record(k_alpha, KeyMark::disabled(k_t0, 401, "")));
  CHECK(warnings.list.size() == 1);
  CHECK(store.load().empty());
  CHECK(test::read_file(dir / "not-a-directory") == "x");
}

TEST_CASE("state store: a read-only directory warns and goes on") {
  if (::geteuid() == 0) {
    MESSAGE("skipped: running as root, where directory permissions do not stop writes "
            "(the ENOTDIR case above covers a failed write)");
    return;
  }
  test::TempDir dir;
  util::ManualClock clock(k_t0);
  Warnings warnings;
  auto sub = dir / "ro";
  REQUIRE(::mkdir(sub.c_str(), 0700) == 0);
  auto path = sub + "/state.json";
  StateStore store(path, clock, warnings.sink());
  store.record(k_alpha, KeyMark::disabled(k_t0, 401, ""));
  REQUIRE(warnings.list.empty());
  auto before = test::read_file(path);
  REQUIRE(::chmod(sub.c_str(), 0500) == 0);
  CHECK_NOTHROW(store.record(k_beta, KeyMark::disabled(k_t0, 401, "")));
  CHECK(warnings.list.size() == 1);
  CHECK(test::read_file(path) == before);
  CHECK(store.load().size() == 1);
}

TEST_CASE_FIXTURE(StoreSetUp,
                  "state store: a lock held past the bound gives a warning and record returns") {
  auto path = dir / "state.json";
  Pipe ready, release;
  pid_t holder = hold_lock_in_child(path + ".lock", ready, release);

  StateStore store(path, clock, warnings.sink(), ms(200));
  auto start = std::chrono::steady_clock::now();
  CHECK_NOTHROW(store.record(k_alpha, KeyMark::disabled(k_t0, 401, "")));
  auto waited = elapsed_ms(start);
  CHECK(waited >= 200);  // it did wait for the lock
  CHECK(waited < 2'000); // but no longer than the bound (plus slack)
  REQUIRE(warnings.list.size() == 1);
  CHECK(warnings.any_mentions(".lock"));
  CHECK(warnings.any_mentions(".journal"));
  CHECK_FALSE(test::exists(path)); // the state file is not written without the lock
  // ...but the mark is not lost: it waits in the journal, where every reader
  // sees it.
  StateStore reader(path, clock, warnings.sink());
  CHECK(reader.load().count(k_alpha.fingerprint) == 1);

  // A second failure with the same cause does not repeat the warning.
  store.record(k_beta, KeyMark::disabled(k_t0, 401, ""));
  CHECK(warnings.list.size() == 1);
  CHECK(reader.load().size() == 2);

  // reset, whose whole point is saving, fails loudly instead.
  std::string message;
  CHECK_BRIDGE_ERROR(store.reset_all(), util::ExitCode::config, message);

  release.close_write();
  CHECK(exited_ok(wait_for(holder)));
  // The kernel dropped the lock with its holder: the next record folds the
  // journal in, the marks of the failed attempts included.
  store.record(k_gamma, KeyMark::disabled(k_t0, 401, ""));
  CHECK(parse_state(path).size() == 3);
  CHECK_FALSE(test::exists(path + ".journal"));
  CHECK_FALSE(test::exists(path + ".journal.folding"));
  CHECK(warnings.list.size() == 1);
}

TEST_CASE_FIXTURE(StoreSetUp,
                  "state store: a corrupt file warns even when the lock to set it aside is busy") {
  auto path = dir / "state.json";
  test::write_file(path, "{ torn");
  Pipe ready, release;
  pid_t holder = hold_lock_in_child(path + ".lock", ready, release);
  StateStore store(path, clock, warnings.sink(), ms(100));
  pool::MarkMap marks;
  CHECK_NOTHROW(marks = store.load());
  CHECK(marks.empty());
  CHECK(warnings.list.size() == 1);
  CHECK(warnings.any_mentions(path));
  CHECK(test::read_file(path) == "{ torn"); // not moved without the lock
  release.close_write();
  CHECK(exited_ok(wait_for(holder)));
}

TEST_CASE_FIXTURE(StoreSetUp, "state store: reading needs no lock") {
  auto path = dir / "state.json";
  StateStore store(path, clock, warnings.sink(), ms(5'000));
  store.record(k_alpha, KeyMark::disabled(k_t0, 401, ""));
  Pipe ready, release;
  pid_t holder = hold_lock_in_child(path + ".lock", ready, release);
  auto start = std::chrono::steady_clock::now();
  auto marks = store.load();
  CHECK(elapsed_ms(start) < 1'000);
  CHECK(marks.size() == 1);
  release.close_write();
  CHECK(exited_ok(wait_for(holder)));
}

TEST_CASE_FIXTURE(StoreSetUp, "state store: a lock released within the bound is waited for") {
  auto path = dir / "state.json";
  Pipe ready, release;
  pid_t holder = hold_lock_in_child(path + ".lock", ready, release);
  // Release the lock from another thread while record() waits for it. The
  // pause only makes the wait real; the outcome does not depend on it.
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    release.close_write();
  });
  StateStore store(path, clock, warnings.sink(), ms(30'000));
  store.record(k_alpha, KeyMark::disabled(k_t0, 401, ""));
  releaser.join();
  CHECK(warnings.list.empty());
  CHECK(store.load().size() == 1);
  CHECK(exited_ok(wait_for(holder)));
}

TEST_CASE_FIXTURE(StoreSetUp, "state store: the lock is not held once record returns") {
  auto path = dir / "state.json";
  StateStore store(path, clock, warnings.sink());
  store.record(k_alpha, KeyMark::disabled(k_t0, 401, ""));
  int fd = ::open((path + ".lock").c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(fd >= 0);
  CHECK(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  ::close(fd);
}

TEST_CASE_FIXTURE(StoreSetUp, "state store: stale temporary files are removed on the next write") {
  auto path = dir / "state.json";
  test::write_file(dir / "state.json.tmp.AbC123", "{\"version\": 1, \"ke");
  test::write_file(dir / "state.json.tmp.zzzzzz", "");
  test::write_file(dir / "state.json.tmp.short", "keep: not ours");
  test::write_file(dir / "other.json.tmp.AbC123", "keep: another file's");
  StateStore store(path, clock, warnings.sink());
  store.record(k_alpha, KeyMark::disabled(k_t0, 401, ""));
  CHECK_FALSE(test::exists(dir / "state.json.tmp.AbC123"));
  CHECK_FALSE(test::exists(dir / "state.json.tmp.zzzzzz"));
  CHECK(test::exists(dir / "state.json.tmp.short"));
  CHECK(test::exists(dir / "other.json.tmp.AbC123"));
  CHECK(temporaries_in(dir.path(), "state.json") ==
        std::vector<std::string>{"state.json.tmp.short"});
}

TEST_CASE_FIXTURE(StoreSetUp, "state store: reset clears named marks, or all") {
  auto path = dir / "state.json";
  StateStore store(path, clock, warnings.sink());
  store.record(k_alpha, KeyMark::disabled(k_t0, 401, ""));
  store.record(k_beta, KeyMark::cooling(k_t0, ms(60'000), 429, ""));
  CHECK(store.reset({k_alpha.fingerprint, "sha256:not-there"}) == 1);
  auto marks = store.load();
  CHECK(marks.size() == 1);
  CHECK(marks.count(k_beta.fingerprint) == 1);
  store.record(k_alpha, KeyMark::disabled(k_t0, 401, ""));
  CHECK(store.reset_all() == 2);
  CHECK(store.load().empty());
  CHECK(store.reset_all() == 0);
}

TEST_CASE("state store: 32 processes recording at once lose no mark") {
  test::TempDir dir;
  auto path = dir / "state/state.json";
  constexpr int k_writers = 32;
  std::vector<keys::Key> writer_keys;
  for (int i = 0; i < k_writers; ++i) {
    writer_keys.push_back(
        keys::make_key("w" + std::to_string(i), "sk-ant-writer-" + std::to_string(i) + "-xyzxyz"));
  }
  Pipe barrier;
  std::vector<pid_t> children;
  for (int i = 0; i < k_writers; ++i) {
    children.push_back(fork_child([&, i] {
      barrier.close_write();
      char byte;
      while (::read(barrier.read_end(), &byte, 1) > 0) {
      }
      util::ManualClock clock(k_t0);
      bool warned = false;
      StateStore store(
          path, clock, [&](const std::string&) { warned = true; }, ms(60'000));
      store.record(writer_keys[static_cast<std::size_t>(i)],
                   KeyMark::cooling(k_t0, ms(3'600'000), 429, "rate_limit_error"));
      return warned ? 1 : 0;
    }));
  }
  barrier.close_write(); // every child sees end of file at once: go
  for (pid_t child : children) {
    int status = wait_for(child);
    CHECK_MESSAGE(exited_ok(status), "writer failed, status " << status);
  }
  auto doc = parse_state(path);
  auto marks = doc.marks();
  CHECK(marks.size() == static_cast<std::size_t>(k_writers));
  for (const auto& key : writer_keys) {
    CAPTURE(key.label);
    CHECK(marks.count(key.fingerprint) == 1);
  }
  CHECK(temporaries_in(dir / "state", "state.json").empty());
}

TEST_CASE("state store: writers killed with SIGKILL never leave a torn file or lose a saved mark") {
  test::TempDir dir;
  auto path = dir / "state.json";
  std::mt19937 random(20261126); // fixed, so that a failure can be replayed
  std::set<std::string> saved;   // fingerprints whose record() returned
  constexpr int k_rounds = 50;
  for (int round = 0; round < k_rounds; ++round) {
    CAPTURE(round);
    Pipe progress;
    pid_t writer = fork_child([&, round] {
      progress.close_read();
      util::ManualClock clock(k_t0);
      StateStore store(path, clock, nullptr, ms(60'000));
      for (std::uint32_t i = 0; i < 100'000; ++i) {
        auto key = keys::make_key("r" + std::to_string(round) + "-" + std::to_string(i),
                                  "sk-ant-kill-" + std::to_string(round) + "-" + std::to_string(i));
        store.record(key, KeyMark::cooling(k_t0, ms(3'600'000), 429, "rate_limit_error"));
        if (!write_exact(progress.write_end(), &i, sizeof i)) {
          return 3;
        }
      }
      return 0;
    });
    progress.close_write();

    // Let a varied number of marks through, then kill at a varied moment:
    // sometimes at once, sometimes a little into the next write.
    std::uint32_t done = 0;
    std::vector<std::uint32_t> completed;
    int let_through = 1 + round % 4;
    for (int n = 0; n < let_through; ++n) {
      REQUIRE(read_exact(progress.read_end(), &done, sizeof done));
      completed.push_back(done);
    }
    auto pause = std::uniform_int_distribution<int>(0, 3'000)(random);
    if (pause > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(pause));
    }
    REQUIRE(::kill(writer, SIGKILL) == 0);
    int status = wait_for(writer);
    CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
    while (read_exact(progress.read_end(), &done, sizeof done)) {
      completed.push_back(done);
    }
    for (auto i : completed) {
      saved.insert(
          keys::key_fingerprint("sk-ant-kill-" + std::to_string(round) + "-" + std::to_string(i)));
    }

    // Whatever the moment of the kill, the file is whole and holds every
    // mark whose record() had returned.
    auto doc = parse_state(path);
    auto marks = doc.marks();
    for (const auto& fingerprint : saved) {
      if (marks.count(fingerprint) == 0) {
        FAIL_CHECK("mark lost: " << fingerprint);
      }
    }
  }
  MESSAGE(saved.size() << " marks saved by writers killed in " << k_rounds << " rounds");

  // A later writer cleans up what the killed ones left behind.
  util::ManualClock clock(k_t0);
  Warnings warnings;
  StateStore store(path, clock, warnings.sink());
  store.record(k_alpha, KeyMark::disabled(k_t0, 401, ""));
  CHECK(warnings.list.empty());
  CHECK(temporaries_in(dir.path(), "state.json").empty());
  // Marks whose writer died between its rename and its report count too.
  CHECK(store.load().size() >= saved.size() + 1);
}

TEST_CASE_FIXTURE(
    StoreSetUp,
    "state store: a reset leaves no older mark in the journal, even after a holder died") {
  auto path = dir / "state.json";
  // A holder moved the journal aside and died; then another mark was
  // appended and not folded yet.
  state::MarkJournal journal(path);
  REQUIRE(journal.append({k_alpha.fingerprint, "alpha", "", KeyMark::disabled(k_t0, 401, ""), ""}));
  REQUIRE(journal.begin_fold());
  REQUIRE(journal.append({k_beta.fingerprint, "beta", "", KeyMark::disabled(k_t0, 401, ""), ""}));
  StateStore store(path, clock, warnings.sink());
  CHECK(store.load().size() == 2); // readers see both

  CHECK(store.reset_all() == 2);
  CHECK(store.load().empty());
  CHECK_FALSE(test::exists(path + ".journal"));
  CHECK_FALSE(test::exists(path + ".journal.folding"));
  CHECK(warnings.list.empty());
}

TEST_CASE_FIXTURE(StoreSetUp,
                  "state store: a mark waiting in the journal is folded by the next record") {
  auto path = dir / "state.json";
  state::MarkJournal journal(path);
  REQUIRE(journal.append({k_alpha.fingerprint, "alpha", "a-hint",
                          KeyMark::cooling(k_t0, ms(60'000), 429, "rate_limit_error"), ""}));
  StateStore store(path, clock, warnings.sink());
  store.record(k_beta, KeyMark::cooling(k_t0, ms(5'000), 429, ""));
  auto doc = parse_state(path);
  CHECK(doc.size() == 2);
  auto marks = doc.marks();
  REQUIRE(marks.at(k_alpha.fingerprint).key_wide);
  CHECK(marks.at(k_alpha.fingerprint).key_wide->until == k_t0 + ms(60'000));
  CHECK(test::read_file(path).find("a-hint") != std::string::npos);
  CHECK_FALSE(test::exists(path + ".journal"));
  CHECK(test::permissions(path) == 0600);
}

TEST_CASE_FIXTURE(
    StoreSetUp, "state store: a per-model mark in the journal loads and folds at its model only") {
  auto path = dir / "state.json";
  state::MarkJournal journal(path);
  REQUIRE(journal.append({k_alpha.fingerprint, "alpha", "",
                          KeyMark::cooling(k_t0, ms(60'000), 429, "rate_limit_error"),
                          "claude-opus-4-1"}));
  StateStore store(path, clock, warnings.sink());

  // Read from the journal (no state file yet): the model is cooled, the key is not.
  auto loaded = store.load();
  REQUIRE(loaded.count(k_alpha.fingerprint) == 1);
  CHECK_FALSE(loaded.at(k_alpha.fingerprint).key_wide);
  REQUIRE(loaded.at(k_alpha.fingerprint).models.count("claude-opus-4-1") == 1);
  CHECK(loaded.at(k_alpha.fingerprint).models.at("claude-opus-4-1").until == k_t0 + ms(60'000));

  // The next record folds it into the state file, still under its model.
  store.record(k_beta, pool::Scope::of_model("claude-sonnet-4-5"),
               KeyMark::cooling(k_t0, ms(5'000), 429, ""));
  CHECK_FALSE(test::exists(path + ".journal"));
  auto marks = parse_state(path).marks();
  REQUIRE(marks.count(k_alpha.fingerprint) == 1);
  CHECK_FALSE(marks.at(k_alpha.fingerprint).key_wide);
  CHECK(marks.at(k_alpha.fingerprint).models.count("claude-opus-4-1") == 1);
  REQUIRE(marks.count(k_beta.fingerprint) == 1);
  CHECK_FALSE(marks.at(k_beta.fingerprint).key_wide);
  CHECK(marks.at(k_beta.fingerprint).models.count("claude-sonnet-4-5") == 1);
  CHECK(warnings.list.empty());
}

TEST_CASE_FIXTURE(
    StoreSetUp,
    "state store: limits rewrite the state file only when they matter, the ledger always") {
  auto path = dir / "state.json";
  StateStore store(path, clock, warnings.sink());
  // One request a second: full again (limit - remaining) seconds later.
  auto reading = [&](long long remaining, long long limit) {
    return pool::ModelLimits{
        clock.now(),
        {{"requests", remaining, limit, clock.now() + ms((limit - remaining) * 1'000)}}};
  };
  auto inode = [&] {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_ino;
  };
  store.load();
  store.record_limits(k_alpha, "opus", reading(4, 5), {}); // first seen: written
  auto first = inode();
  CHECK(store.load().at(k_alpha.fingerprint).limits.at("opus").readings[0].remaining == 4);
  // Same limit, seconds later: the state file is left alone (no fold, no
  // fsync per answer); the ledger's bucket follows every answer.
  for (int i = 3; i >= 1; --i) {
    clock.advance(ms(1'000));
    store.record_limits(k_alpha, "opus", reading(i, 5), {});
  }
  CHECK(inode() == first);
  state::ClaimLedger ledger(path);
  auto buckets = ledger.read();
  REQUIRE(buckets.count(pool::bucket_id(k_alpha.fingerprint, "opus")) == 1);
  CHECK(buckets.at(pool::bucket_id(k_alpha.fingerprint, "opus")).level_at(clock.now()) ==
        doctest::Approx(1.0));
  // A changed limit is written at once; so is a copy a minute old.
  store.load();
  store.record_limits(k_alpha, "opus", reading(40, 50), {});
  auto second = inode();
  CHECK(second != first);
  store.load();
  clock.advance(ms(61'000));
  store.record_limits(k_alpha, "opus", reading(30, 50), {});
  CHECK(inode() != second);
  CHECK(warnings.list.empty());
}

TEST_CASE_FIXTURE(StoreSetUp,
                  "state store: an empty request bucket loads as a cooldown for its model") {
  StateStore store(dir / "state.json", clock, warnings.sink());
  // Empty, full in 5 s: the next request is back in one second.
  store.record_limits(k_alpha, "opus",
                      pool::ModelLimits{k_t0, {{"requests", 0, 5, k_t0 + ms(5'000)}}}, {});
  auto marks = store.load();
  REQUIRE(marks.at(k_alpha.fingerprint).models.count("opus") == 1);
  const auto& mark = marks.at(k_alpha.fingerprint).models.at("opus");
  CHECK(mark.until == k_t0 + ms(1'000));
  CHECK(mark.reason == "requests_remaining_0");
  CHECK_FALSE(marks.at(k_alpha.fingerprint).key_wide);
  // Once a unit is back, nothing.
  clock.advance(ms(1'000));
  CHECK(store.load().at(k_alpha.fingerprint).models.empty());
}
