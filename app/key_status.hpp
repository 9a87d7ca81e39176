#pragma once

// What `keys status` shows: one row per key, as a table for people or as a
// JSON array for scripts (docs/contract.md, keys status).
#include "common.hpp"
#include "pool/key_marks.hpp"
#include "pool/mark_store.hpp"
#include "util/clock.hpp"

#include <optional>
#include <string>
#include <vector>

namespace app {

// One key as `keys status` shows it: its state for the model asked about
// (key-wide marks only without -m), and what else is known of it.
struct KeyRow {
  const keys::Key* key;
  std::optional<pool::Block> block;
  std::string state; // ready, cooling, disabled
  util::Millis left{0};
  const pool::KeyMarks* marks = nullptr;
};

// The rows of `source`'s keys, in key-file order, judged for `model` at `now`.
std::vector<KeyRow> key_rows(const KeySource& source, const pool::MarkMap& marks,
                             const std::string& model, util::TimePoint now);
// The JSON array of `keys status --json`, one line.
std::string status_json(const std::vector<KeyRow>& rows, util::TimePoint now);
// The table of `keys status`, coloured when `colour`; every text from the
// state or the key file is made printable.
std::string status_table(const std::vector<KeyRow>& rows, bool colour, util::TimePoint now);

} // namespace app
