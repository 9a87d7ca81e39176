#include "state/file/state_store.hpp"

#include "pool/outcome.hpp"
#include "state/file/atomic_file.hpp"
#include "state/file/file_lock.hpp"
#include "state/file/location_check.hpp"
#include "state/file/mark_reader.hpp"
#include "state/file/path_safety.hpp"
#include "state/file/state_document.hpp"
#include "state/test_hooks.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace state {

namespace {
// Ten thousand keys take about 2.5 MB; this leaves ample room.
constexpr std::size_t k_max_state_size = 256 * 1024 * 1024;

long long micros_since(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               since)
      .count();
}

// The device and inode of a file (zeros when missing): a fold replaces the
// state file with a new inode, so a change shows that holders make progress.
std::pair<dev_t, ino_t> identity_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return {0, 0};
  }
  return {st.st_dev, st.st_ino};
}

// Adds the request buckets estimated empty as the proactive marks they
// stand for (docs/marks.md, "Claims"): cooling for their model until the
// next unit, so that `keys status` says what a walk would find. A walk
// lets the bucket decide for such a mark anyway.
void add_empty_buckets(pool::MarkMap& marks, const pool::BucketMap& buckets, util::TimePoint now) {
  for (const auto& [id, bucket] : buckets) {
    auto space = id.find(' ');
    if (bucket.probing() || space == std::string::npos) {
      continue;
    }
    auto wait = bucket.until_one(now);
    if (!wait || wait->count() == 0) {
      continue;
    }
    auto delay = std::min(*wait, pool::k_max_proactive_cooldown);
    marks[id.substr(0, space)].merge(
        pool::Scope::of_model(id.substr(space + 1)),
        pool::KeyMark::cooling(now, delay, 200, "requests_remaining_0"));
  }
}

// Adds what the journal holds to the marks read from the state file.
void add_records(pool::MarkMap& marks, const std::vector<JournalRecord>& records) {
  // Each at its own scope: a per-model record must not cool the whole key.
  for (const auto& record : records) {
    marks[record.fingerprint].merge(record.scope(), record.mark);
  }
}
} // namespace

StateStore::StateStore(std::string path, util::Clock& clock, WarningSink warn,
                       util::Millis lock_bound)
    : m_path(std::move(path)), m_paths(m_path), m_journal(m_path), m_ledger(m_path), m_clock(clock),
      m_warn(std::move(warn)), m_lock_bound(lock_bound) {}

void StateStore::report_timing(long long wait_us, long long hold_us, std::size_t records,
                               const char* outcome) const {
  if (!test_hooks::timing_wanted(test_hooks::Timing::state_lock)) {
    return;
  }
  test_hooks::append_timing(test_hooks::Timing::state_lock,
                            fmt::format("wait_us={} hold_us={} records={} outcome={}\n", wait_us,
                                        hold_us, records, outcome));
}

void StateStore::warn_once(const std::string& message) {
  if (std::find(m_warned.begin(), m_warned.end(), message) != m_warned.end()) {
    return;
  }
  m_warned.push_back(message);
  if (m_warn) {
    m_warn(message);
  }
}

StateStore::ReadResult StateStore::read_text(std::string& text, std::string& problem) const {
  struct stat st {};
  if (::stat(m_path.c_str(), &st) != 0 && errno == ENOENT) {
    return ReadResult::missing;
  }
  if (S_ISREG(st.st_mode) && static_cast<std::size_t>(st.st_size) > k_max_state_size) {
    // Far beyond any real pool: not a state file we wrote. Set it aside like
    // any corrupt file, so that later runs can save their marks again.
    problem = fmt::format("it is {} bytes, more than a state file can be", st.st_size);
    return ReadResult::corrupt;
  }
  auto content = util::read_small_file(m_path, k_max_state_size, /*follow_links=*/false);
  if (!content) {
    problem = content.error();
    return ReadResult::unreadable;
  }
  if (auto foreign = foreign_owner_problem(content->owner, m_path)) {
    problem = *foreign; // planted since state_location_problem() looked
    return ReadResult::unreadable;
  }
  text = std::move(content->data);
  return ReadResult::ok;
}

namespace {
StateStore::ReadResult from_parse(StateDocument::Parse parse) {
  switch (parse) {
  case StateDocument::Parse::ok:
    return StateStore::ReadResult::ok;
  case StateDocument::Parse::newer_version:
    return StateStore::ReadResult::newer_version;
  case StateDocument::Parse::corrupt:
    break;
  }
  return StateStore::ReadResult::corrupt;
}
} // namespace

StateStore::ReadResult StateStore::read(StateDocument& doc, std::string& problem) const {
  std::string text;
  auto result = read_text(text, problem);
  if (result == ReadResult::missing) {
    doc = StateDocument();
  }
  return result == ReadResult::ok ? from_parse(StateDocument::parse(text, doc, problem)) : result;
}

pool::MarkMap StateStore::load() {
  if (auto unsafe = location_problem(m_location_check, m_path, m_clock.now())) {
    throw util::Error(util::ExitCode::config, *unsafe);
  }
  // The journal is read before the state file: a record is removed from the
  // journal files only once the state file holding it is in place, so in
  // this order no record can slip between the two reads (docs/state.md).
  std::string journal_problem;
  auto pending = m_journal.read_all(journal_problem);
  if (!journal_problem.empty()) {
    warn_once(fmt::format("cannot read the journal of state file {}: {}", m_path, journal_problem));
  }
  std::string text;
  std::string problem;
  pool::MarkMap marks;
  auto result = read_text(text, problem);
  if (result == ReadResult::ok) {
    result = from_parse(read_marks(text, marks, problem));
  }
  add_empty_buckets(marks, m_ledger.read(), m_clock.now());
  switch (result) {
  case ReadResult::ok:
    m_file_limits.clear();
    for (const auto& [fingerprint, entry] : marks) {
      if (!entry.limits.empty()) {
        m_file_limits[fingerprint] = entry.limits;
      }
    }
    add_records(marks, pending);
    return marks;
  case ReadResult::missing:
    add_records(marks, pending);
    return marks;
  case ReadResult::newer_version:
    throw util::Error(util::ExitCode::config,
                      fmt::format("state file {}: {}; upgrade bridge, or point --state elsewhere "
                                  "(the file is left as it is)",
                                  m_path, problem));
  case ReadResult::unreadable:
    warn_once(fmt::format("cannot read state file {}: {}; going on without it", m_path, problem));
    marks.clear();
    add_records(marks, pending);
    return marks;
  case ReadResult::corrupt:
    break;
  }
  marks.clear();
  add_records(marks, pending);
  // Set the corrupt file aside under the lock, so that we never move a good
  // file that another process has just written in its place.
  std::string why;
  if (update([](StateDocument&) {}, why) != Saved::yes) {
    // update() warns about the corruption only once it holds the lock; when
    // it could not (lock busy, directory not writable) say so here, so that
    // a corrupt file never goes unmentioned (docs/contract.md).
    warn_once(fmt::format("state file {} is corrupt ({}); going on without it: {}", m_path, problem,
                          why));
  }
  return marks;
}

StateStore::Saved StateStore::update(const std::function<void(StateDocument&)>& change,
                                     std::string& problem, const MarkJournal::Position* appended) {
  if (auto made = make_parent_directories(m_path); !made) {
    problem = made.error();
    return Saved::no;
  }
  if (auto unsafe = location_problem(m_location_check, m_path, m_clock.now())) {
    problem = *unsafe;
    return Saved::no;
  }
  // Once the bound has been waited out in this invocation, later changes
  // only try the lock once: the answer must not wait a full bound per mark
  // while another process holds it, yet a lock released meanwhile is taken.
  // The bound is for a lock that makes no progress: while other holders keep
  // replacing the state file, the wait goes on (docs/state.md). A change
  // whose record is in the journal stops waiting as soon as another holder
  // has folded that record into the state file.
  // Progress is a new state file (a fold ended) or a new folding file (a
  // holder has the lock and is folding: alive, not stopped). On a starved
  // machine (hundreds of processes on two cores, a sanitizer build) one fold
  // can take seconds from lock to rename; its start counts as progress too.
  auto last_state = identity_of(m_path);
  auto last_folding = identity_of(m_paths.folding());
  FileLock::Watch watch = [&] {
    if (appended && m_journal.folded(*appended)) {
      return FileLock::Look::no_longer_needed;
    }
    auto now_state = identity_of(m_path);
    auto now_folding = identity_of(m_paths.folding());
    if (now_state == last_state && now_folding == last_folding) {
      return FileLock::Look::nothing_new;
    }
    last_state = now_state;
    last_folding = now_folding;
    return FileLock::Look::progress;
  };
  auto asked = std::chrono::steady_clock::now();
  auto lock =
      FileLock::acquire(m_paths.lock(), m_lock_failed ? util::Millis{0} : m_lock_bound, watch);
  long long wait_us = micros_since(asked);
  if (!lock) {
    m_lock_failed = true;
    problem = fmt::format("cannot lock {}: {}", m_paths.lock(), lock.error());
    report_timing(wait_us, 0, 0, "lock-timeout");
    return Saved::lock_busy;
  }
  if (!*lock) {
    report_timing(wait_us, 0, 0, "folded-by-another");
    return Saved::yes;
  }
  test_hooks::stop_after_lock_once();
  auto held = std::chrono::steady_clock::now();
  remove_stale_temporaries(m_path);
  StateDocument doc;
  std::string read_problem;
  bool set_aside = false;
  switch (read(doc, read_problem)) {
  case ReadResult::ok:
  case ReadResult::missing:
    break;
  case ReadResult::newer_version:
    problem = fmt::format("{}: {}; not rewriting it", m_path, read_problem);
    return Saved::no;
  case ReadResult::unreadable:
    problem = fmt::format("cannot read {}: {}", m_path, read_problem);
    return Saved::no;
  case ReadResult::corrupt: {
    std::string aside = m_paths.corrupt();
    if (std::rename(m_path.c_str(), aside.c_str()) != 0) {
      problem = fmt::format("state file {} is corrupt ({}) and cannot be moved aside: {}", m_path,
                            read_problem, std::strerror(errno));
      return Saved::no;
    }
    warn_once(fmt::format("state file {} is corrupt ({}); kept it as {} and started afresh", m_path,
                          read_problem, aside));
    doc = StateDocument();
    set_aside = true;
    break;
  }
  }
  // Normally one pass: the journal moved aside and folded in with `change`.
  // A folding file left by a holder that died is folded and written first,
  // on its own, so that the journal is always moved aside before `change`:
  // a reset then never leaves behind a journal record older than itself.
  std::size_t folded_records = 0;
  bool written = false;
  for (;;) {
    auto batch = m_journal.begin_fold();
    if (!batch) {
      problem = fmt::format("cannot fold the journal of {}: {}", m_path, batch.error());
      return Saved::no;
    }
    if (batch->dropped > 0) {
      // Refusing it would stop every fold, and every reset, for good.
      warn_once(fmt::format("the journal of state file {} was larger than {} MiB: folded the {} {} "
                            "of its last {} MiB and dropped the {} bytes before them",
                            m_path, MarkJournal::k_max_size >> 20, batch->records.size(),
                            batch->records.size() == 1 ? "record" : "records",
                            MarkJournal::k_max_size >> 20, batch->dropped));
    }
    for (const auto& record : batch->records) {
      doc.merge(record.fingerprint, record.label, record.hint, record.scope(), record.mark);
    }
    folded_records += batch->records.size();
    if (!batch->leftover) {
      if (appended && batch->records.empty() && !set_aside) {
        // Our record was folded by the holder before us (or in the pass
        // above), between our last look and our turn: nothing to write.
        report_timing(wait_us, micros_since(held), folded_records,
                      written ? "folded" : "folded-by-another");
        return Saved::yes;
      }
      change(doc);
    }
    doc.prune(m_clock.now());
    if (auto done = write_atomically(m_path, doc.serialize(), 0600); !done) {
      // The folding file stays: the next holder folds it, readers see it.
      problem = fmt::format("cannot write {}: {}", m_path, done.error());
      return Saved::no;
    }
    written = true;
    m_journal.end_fold(*batch);
    if (!batch->leftover) {
      break;
    }
  }
  report_timing(wait_us, micros_since(held), folded_records, "folded");
  return Saved::yes;
}

} // namespace state
