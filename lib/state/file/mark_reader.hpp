#pragma once

#include "pool/mark_store.hpp"
#include "state/file/state_document.hpp"

#include <string>
#include <string_view>

namespace state {

// Reads only the marks from the text of a state file, without building a
// JSON document: simdjson's On-Demand parser (SIMD structural indexing, then
// a walk that keeps the few fields a mark needs; state/file/mark_walk.cpp, in
// the JSON plugin of util/json_plugin.hpp, which a small file does not load:
// StateDocument reads it). This is the read path of every invocation and of
// `keys status` over a large pool; the write path still uses StateDocument
// (nlohmann::json), which keeps unknown fields.
//
// Gives the same verdict as StateDocument::parse (ok / corrupt / newer
// version, with the reason in `problem`) and the same marks as
// StateDocument::marks(), for any text. The rule that makes this hold
// (util/json_reader.hpp, shared with the stream readers):
// simdjson decides alone only the texts it accepts, and it accepts no text
// that nlohmann refuses, with the same values. On-Demand does not check what
// it skips, so every value is read through (util::check_json_value); names
// are compared decoded; a repeated name counts by its last value, as in
// nlohmann's DOM; and arrays or objects nested deeper than k_max_state_depth
// stop the walk. Every text simdjson refuses or cannot judge is handed to
// StateDocument itself, which has the last word: invalid JSON, a top-level
// value that is not an object (corrupt either way), too deep a nesting, a byte order mark (nlohmann
// skips one, simdjson does not), a NUL byte after the value (nlohmann ends the text there, simdjson
// does not), and numbers beyond 64-bit integers (nlohmann makes them doubles, simdjson refuses
// them). Those are rare (a damaged or hand-edited file), and a corrupt file is set aside after one
// such read. The fuzz target fuzz_state_file checks the rule on every input.
//
// On anything but ok, `marks` is left alone.
StateDocument::Parse read_marks(std::string_view text, pool::MarkMap& marks, std::string& problem);

} // namespace state
