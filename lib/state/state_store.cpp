#include "state/state_store.hpp"

#include "state/atomic_file.hpp"
#include "state/file_lock.hpp"
#include "state/mark_reader.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <sys/stat.h>

namespace state {

namespace {
// Ten thousand keys take about 2.5 MB; this leaves ample room.
constexpr std::size_t k_max_state_size = 256 * 1024 * 1024;
} // namespace

StateStore::StateStore(std::string path, util::Clock& clock, WarningSink warn,
                       util::Millis lock_bound)
    : m_path(std::move(path)), m_clock(clock), m_warn(std::move(warn)), m_lock_bound(lock_bound) {}

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
  auto content = util::read_small_file(m_path, k_max_state_size);
  if (!content) {
    problem = content.error();
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
  std::string text;
  std::string problem;
  pool::MarkMap marks;
  auto result = read_text(text, problem);
  if (result == ReadResult::ok) {
    result = from_parse(read_marks(text, marks, problem));
  }
  switch (result) {
  case ReadResult::ok:
    return marks;
  case ReadResult::missing:
    return {};
  case ReadResult::newer_version:
    throw util::Error(util::ExitCode::config,
                      fmt::format("state file {}: {}; upgrade bridge, or point --state elsewhere "
                                  "(the file is left as it is)",
                                  m_path, problem));
  case ReadResult::unreadable:
    warn_once(fmt::format("cannot read state file {}: {}; going on without it", m_path, problem));
    return {};
  case ReadResult::corrupt:
    break;
  }
  // Set the corrupt file aside under the lock, so that we never move a good
  // file that another process has just written in its place.
  std::string why;
  if (!update([](StateDocument&) {}, why)) {
    // update() warns about the corruption only once it holds the lock; when
    // it could not (lock busy, directory not writable) say so here, so that
    // a corrupt file never goes unmentioned (SPEC §4).
    warn_once(fmt::format("state file {} is corrupt ({}); going on without it: {}", m_path,
                          problem, why));
  }
  return {};
}

bool StateStore::update(const std::function<void(StateDocument&)>& change, std::string& problem) {
  if (auto made = make_parent_directories(m_path); !made) {
    problem = made.error();
    return false;
  }
  // Once the bound has been waited out in this invocation, later changes
  // only try the lock once: the answer must not wait a full bound per mark
  // while another process holds it, yet a lock released meanwhile is taken.
  auto lock = FileLock::acquire(m_path + ".lock", m_lock_failed ? util::Millis{0} : m_lock_bound);
  if (!lock) {
    m_lock_failed = true;
    problem = fmt::format("cannot lock {}.lock: {}", m_path, lock.error());
    return false;
  }
  remove_stale_temporaries(m_path);
  StateDocument doc;
  std::string read_problem;
  switch (read(doc, read_problem)) {
  case ReadResult::ok:
  case ReadResult::missing:
    break;
  case ReadResult::newer_version:
    problem = fmt::format("{}: {}; not rewriting it", m_path, read_problem);
    return false;
  case ReadResult::unreadable:
    problem = fmt::format("cannot read {}: {}", m_path, read_problem);
    return false;
  case ReadResult::corrupt: {
    std::string aside = m_path + ".corrupt";
    if (std::rename(m_path.c_str(), aside.c_str()) != 0) {
      problem = fmt::format("state file {} is corrupt ({}) and cannot be moved aside: {}", m_path,
                            read_problem, std::strerror(errno));
      return false;
    }
    warn_once(fmt::format("state file {} is corrupt ({}); kept it as {} and started afresh",
                          m_path, read_problem, aside));
    doc = StateDocument();
    break;
  }
  }
  change(doc);
  doc.prune(m_clock.now());
  if (auto written = write_atomically(m_path, doc.serialize(), 0600); !written) {
    problem = fmt::format("cannot write {}: {}", m_path, written.error());
    return false;
  }
  return true;
}

void StateStore::record(const keys::Key& key, const pool::Scope& scope, const pool::KeyMark& mark) {
  std::string problem;
  if (!update([&](StateDocument& doc) { doc.merge(key, scope, mark); }, problem)) {
    warn_once(fmt::format("state not saved: {}", problem));
  }
}

void StateStore::record_limits(const keys::Key& key, const std::string& model,
                               const pool::ModelLimits& limits) {
  std::string problem;
  if (!update([&](StateDocument& doc) { doc.set_limits(key, model, limits); }, problem)) {
    warn_once(fmt::format("state not saved: {}", problem));
  }
}

std::size_t StateStore::clear_disabled(const std::vector<std::string>& fingerprints) {
  std::size_t cleared = 0;
  std::string problem;
  bool saved = update(
      [&](StateDocument& doc) {
        for (const auto& fingerprint : fingerprints) {
          cleared += doc.clear_disabled(fingerprint) ? 1 : 0;
        }
      },
      problem);
  if (!saved) {
    warn_once(fmt::format("state not saved: {}", problem));
    return 0;
  }
  return cleared;
}

std::size_t StateStore::reset(const std::vector<std::string>& fingerprints) {
  std::size_t removed = 0;
  std::string problem;
  bool saved = update(
      [&](StateDocument& doc) {
        if (fingerprints.empty()) {
          removed = doc.clear();
          return;
        }
        for (const auto& fingerprint : fingerprints) {
          removed += doc.remove(fingerprint) ? 1 : 0;
        }
      },
      problem);
  if (!saved) {
    throw util::Error(util::ExitCode::config, fmt::format("cannot reset: {}", problem));
  }
  return removed;
}

} // namespace state
