#pragma once

#include "pool/mark.hpp"
#include "pool/scope.hpp"
#include "util/expected.hpp"

#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace state {

// One mark on its way to the state file: the fingerprint it belongs to, the
// label and hint the state entry shows, and the mark itself. Its JSON is the
// fingerprint plus the very fields of a state entry, and "model" for a mark
// of one model only: a record without it (or with it empty, as every record
// written before per-model marks) is key-wide.
struct JournalRecord {
  std::string fingerprint;
  std::string label;
  std::string hint;
  pool::KeyMark mark;
  std::string model; // empty: key-wide
  pool::Scope scope() const {
    return model.empty() ? pool::Scope::every_model() : pool::Scope::of_model(model);
  }
};

// A record as one journal line: a newline, the record's JSON (which never
// holds a raw newline or tab), a tab, the first 8 bytes of its SHA-256 in hex
// and a newline. The leading newline means that a record torn by a failed
// write (disk full) cannot swallow the record appended after it: the torn
// bytes end up on a line of their own, which the checksum rejects.
std::string encode_record(const JournalRecord& record);

// The records of a journal's text, in order. Empty lines are skipped; so are
// lines whose checksum does not match, that are not a record, or that are the
// unfinished tail of the text; `skipped` counts those.
std::vector<JournalRecord> decode_records(std::string_view text, std::size_t* skipped = nullptr);

// The side journal of a state file (docs/state.md): "<state>.journal", to
// which a mark is appended without any lock, and "<state>.journal.folding",
// the journal a lock holder has moved aside while it folds it into the state
// file.
//
//   writer:  append(record)                         (no lock)
//   holder:  begin_fold() → merge into the state file → write it → end_fold()
//   reader:  read_all() BEFORE reading the state file
//
// A record moves only forwards (journal → folding → state file) and the
// folding file is removed only after the state file holding it is in place,
// so a reader that reads in the order journal, folding, state file sees every
// record at least once. Records are marks, and merging a mark twice changes
// nothing, so seeing one twice is harmless.
class MarkJournal {
public:
  // The most of a journal file that is read: of a larger one, only its last
  // k_max_size bytes (its newest records).
  static constexpr std::size_t k_max_size = 64 * 1024 * 1024;

  explicit MarkJournal(const std::string& state_path);

  // Where an appended record went: the journal file (device and inode).
  struct Position {
    dev_t device = 0;
    ino_t inode = 0;
  };

  // Appends one record with a single write(2) on an O_APPEND descriptor
  // (appends of many processes never interleave). If a holder moved the
  // journal aside meanwhile, the record is appended again to the new journal,
  // since the holder may have read the old one before the write.
  util::Expected<Position> append(const JournalRecord& record) const;

  // Whether the records appended at `position` are in the state file: that
  // journal file is neither the journal nor the folding file any more. May
  // say false when they are (inode numbers are reused), never the opposite.
  bool folded(const Position& position) const;

  // Every record a reader must add to what the state file says.
  std::vector<JournalRecord> read_all(std::string& problem) const;

  // The records to fold, for a lock holder. With no folding file left over,
  // the journal is renamed to the folding file and read. A folding file left
  // by a holder that died is returned alone (`leftover`), the journal left
  // where it is: renaming it would replace the left-over file before the
  // state file holds its records. The holder writes that batch, ends it, and
  // begins again for the journal.
  struct Batch {
    std::vector<JournalRecord> records;
    bool has_folding = false; // end_fold() has a folding file to remove
    bool leftover = false;    // a folding file left by a holder that died
    // Bytes of an oversized journal left out, before the records read (its
    // newest, the last 64 MiB): gone once the batch is ended.
    std::size_t dropped = 0;
  };
  util::Expected<Batch> begin_fold() const;
  // Removes the folding file once the state file holding its records is in place.
  void end_fold(const Batch& batch) const;

  const std::string& path() const { return m_path; }

private:
  std::string m_path;
  std::string m_folding_path;
};

} // namespace state
