#include "state/file/mark_journal.hpp"

#include "state/file/path_safety.hpp"
#include "state/file/state_paths.hpp"

#include "state/file/json_fields.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sha2.h>
#include <sys/stat.h>
#include <unistd.h>

namespace state {

using nlohmann::json;

namespace {

// A journal only grows while no holder can fold it (a holder stopped for
// hours): a few hundred bytes per mark. Beyond this only its newest records
// are read, and a fold drops the rest.
constexpr std::size_t k_max_journal_size = MarkJournal::k_max_size;
// A moved journal is followed this many times before giving up; each move
// needs a whole fold by another process, so more than two is already rare.
constexpr int k_append_tries = 16;

// The first 8 bytes of the SHA-256 (libmd, as for key fingerprints).
std::string checksum(std::string_view text) {
  SHA2_CTX context;
  SHA256Init(&context);
  SHA256Update(&context, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  std::uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256Final(digest, &context);
  std::string hex;
  char buffer[3];
  for (std::size_t i = 0; i < 8; ++i) {
    std::snprintf(buffer, sizeof buffer, "%02x", digest[i]);
    hex += buffer;
  }
  return hex;
}

std::optional<JournalRecord> decode_line(std::string_view line) {
  auto tab = line.rfind('\t');
  if (tab == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view body = line.substr(0, tab);
  if (line.substr(tab + 1) != checksum(body)) {
    return std::nullopt;
  }
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return std::nullopt;
  }
  auto text = [&](const char* name) -> std::optional<std::string> {
    auto it = parsed.find(name);
    if (it == parsed.end() || !it->is_string()) {
      return std::nullopt;
    }
    return it->get<std::string>();
  };
  auto fingerprint = text("fingerprint");
  auto mark = read_mark(parsed);
  if (!fingerprint || fingerprint->empty() || !mark) {
    return std::nullopt;
  }
  return JournalRecord{*fingerprint, text("label").value_or(""), text("hint").value_or(""),
                       std::move(*mark), text("model").value_or("")};
}

// Reads a journal file; a missing file reads as empty. Of a file larger than
// k_max_journal_size only its last k_max_journal_size bytes are read, from
// the first record that starts in them; `dropped` tells how many bytes
// before that record were left unread (docs/state.md, "An oversized
// journal"): the newest marks are the ones still in force.
bool read_if_present(const std::string& path, std::string& text, std::string& problem,
                     std::size_t* dropped = nullptr) {
  if (dropped) {
    *dropped = 0;
  }
  text.clear();
  // A journal planted by another user (in a sticky directory) could inject
  // marks: it is refused like a foreign state file (docs/security.md); so
  // is anything but a regular file (a FIFO would block the read for good).
  std::string refused;
  int fd = open_side_file(path, O_RDONLY, refused);
  if (fd < 0) {
    if (refused.empty()) {
      return true; // missing: empty
    }
    problem = refused;
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    problem = path + ": " + std::strerror(errno);
    ::close(fd);
    return false;
  }
  std::size_t size = static_cast<std::size_t>(st.st_size);
  std::size_t skip = size > k_max_journal_size ? size - k_max_journal_size : 0;
  char buffer[65536];
  while (text.size() < k_max_journal_size) {
    std::size_t want = std::min(sizeof buffer, k_max_journal_size - text.size());
    ssize_t n = ::pread(fd, buffer, want, static_cast<off_t>(skip + text.size()));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      problem = path + ": " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) {
      break;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (skip > 0) {
    // Every record starts with a newline: what comes before the first one
    // read is the end of a record cut in two.
    auto first = std::min(text.find('\n'), text.size());
    text.erase(0, first);
    skip += first;
  }
  if (dropped) {
    *dropped = skip;
  }
  return true;
}

bool same_file(const std::string& path, const MarkJournal::Position& position) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && st.st_dev == position.device &&
         st.st_ino == position.inode;
}

} // namespace

std::string encode_record(const JournalRecord& record) {
  json body = json::object();
  body["fingerprint"] = record.fingerprint;
  body["label"] = record.label;
  body["hint"] = record.hint;
  write_mark(body, record.mark);
  if (!record.model.empty()) { // absent: key-wide, as records of older versions
    body["model"] = record.model;
  }
  // No indentation: JSON escapes every newline and tab inside strings, so
  // the line and its separator stay unambiguous. Labels come from a user
  // file and may not be valid UTF-8: replaced, as in the state file.
  std::string text = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return "\n" + text + "\t" + checksum(text) + "\n";
}

std::vector<JournalRecord> decode_records(std::string_view text, std::size_t* skipped) {
  std::vector<JournalRecord> records;
  std::size_t bad = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      // An unfinished last line: a write still under way or torn.
      ++bad;
      break;
    }
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) {
      continue;
    }
    if (auto record = decode_line(line)) {
      records.push_back(std::move(*record));
    } else {
      ++bad;
    }
  }
  if (skipped) {
    *skipped = bad;
  }
  return records;
}

MarkJournal::MarkJournal(const std::string& state_path)
    : m_path(StatePaths(state_path).journal()), m_folding_path(StatePaths(state_path).folding()) {}

util::Expected<MarkJournal::Position> MarkJournal::append(const JournalRecord& record) const {
  using Result = util::Expected<Position>;
  std::string line = encode_record(record);
  for (int attempt = 0; attempt < k_append_tries; ++attempt) {
    std::string problem;
    int fd = open_side_file(m_path, O_WRONLY | O_APPEND | O_CREAT, problem);
    if (fd < 0) {
      return Result::failure(problem);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int error = errno;
      ::close(fd);
      return Result::failure(m_path + ": " + std::strerror(error));
    }
    if ((st.st_mode & 0077) != 0) {
      ::fchmod(fd, 0600);
    }
    // One write(2): O_APPEND makes it land whole after every earlier append.
    // It is not retried piecewise: a short write (disk full) leaves a torn
    // line that readers skip, and the mark is reported as not saved.
    ssize_t written;
    do {
      written = ::write(fd, line.data(), line.size());
    } while (written < 0 && errno == EINTR);
    int error = errno;
    ::close(fd);
    if (written != static_cast<ssize_t>(line.size())) {
      return Result::failure(m_path + ": " +
                             (written < 0 ? std::strerror(error) : "short write (disk full?)"));
    }
    Position position{st.st_dev, st.st_ino};
    if (same_file(m_path, position)) {
      return position;
    }
  }
  return Result::failure(m_path + ": it was moved aside too often while appending");
}

bool MarkJournal::folded(const Position& position) const {
  return !same_file(m_path, position) && !same_file(m_folding_path, position);
}

std::vector<JournalRecord> MarkJournal::read_all(std::string& problem) const {
  std::vector<JournalRecord> records;
  std::string text;
  for (const auto* path : {&m_path, &m_folding_path}) {
    if (read_if_present(*path, text, problem)) {
      auto more = decode_records(text);
      records.insert(records.end(), std::make_move_iterator(more.begin()),
                     std::make_move_iterator(more.end()));
    }
  }
  return records;
}

util::Expected<MarkJournal::Batch> MarkJournal::begin_fold() const {
  using Result = util::Expected<Batch>;
  Batch batch;
  struct stat st {};
  batch.leftover = ::lstat(m_folding_path.c_str(), &st) == 0;
  // Anything but a regular file at the journal's place is left there, for
  // the user to remove: moved aside, it would only be refused again as the
  // folding file.
  if (!batch.leftover && ::lstat(m_path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    return Result::failure(m_path + ": not a regular file; remove it");
  }
  if (!batch.leftover && ::rename(m_path.c_str(), m_folding_path.c_str()) != 0) {
    if (errno == ENOENT) {
      return batch; // nothing appended since the last fold
    }
    return Result::failure(m_path + ": " + std::strerror(errno));
  }
  batch.has_folding = true;
  std::string text;
  std::string problem;
  if (!read_if_present(m_folding_path, text, problem, &batch.dropped)) {
    return Result::failure(problem);
  }
  batch.records = decode_records(text);
  return batch;
}

void MarkJournal::end_fold(const Batch& batch) const {
  if (batch.has_folding) {
    ::unlink(m_folding_path.c_str());
  }
}

} // namespace state
