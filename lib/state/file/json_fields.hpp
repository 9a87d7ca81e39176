#pragma once

// The state file's JSON fields as nlohmann::json values, for the parts of the
// state layer that read or write them (the document, the journal, the Redis
// store's limits). Inside the layer only: no header that app/ includes
// includes this one, so nlohmann stays behind the state layer's interface.
// Defined in state_document.cpp.
#include "pool/key_marks.hpp"
#include "pool/mark.hpp"
#include "state/file/state_document.hpp"

#include <nlohmann/json.hpp>
#include <optional>

namespace state {

// The per-model marks and limits of an entry: the value of its "models"
// member (see StateDocument), read into `marks`. Anything that is not of
// that shape is ignored. Shared by both readers, like mark_from_fields.
void read_model_marks(const nlohmann::json& models, pool::KeyMarks& marks);

// The mark the mark fields of an object describe ("mark", "since", "until",
// "status", "reason": an entry, one of its models, a journal record), or
// nullopt; and the writing of those fields (nullopt erases them). Shared
// with the journal (mark_journal.hpp), whose records carry the same fields.
std::optional<pool::KeyMark> read_mark(const nlohmann::json& object);
void write_mark(nlohmann::json& object, const std::optional<pool::KeyMark>& mark);

// The reading of the "limits" object of one model (nullopt when it is not of
// that shape), which pool::limits_json (pool/limits_json.hpp) writes. Shared
// with the Redis store, which keeps the same object per model.
std::optional<pool::ModelLimits> read_limits(const nlohmann::json& limits);

// One key's entry of the state file: its key-wide mark at the top, the rest
// under "models". read_entry takes what it can read and ignores the rest;
// write_entry writes `marks` into `entry`, keeping the fields it does not
// know, and removes "models" when it is empty.
pool::KeyMarks read_entry(const nlohmann::json& entry);
void write_entry(nlohmann::json& entry, const pool::KeyMarks& marks);

} // namespace state
