#pragma once

#include "pool/mark_store.hpp"
#include "state/state_document.hpp"

#include <string>
#include <string_view>

namespace state {

// Reads only the marks from the text of a state file, without building a
// JSON document: a SAX pass over the text that keeps the few fields a mark
// needs. This is the read path of every invocation (and of `keys status`
// over a large pool), so it avoids the allocations of a full DOM; the write
// path still uses StateDocument, which keeps unknown fields.
//
// Gives the same verdict as StateDocument::parse (ok / corrupt / newer
// version, with the reason in `problem`) and the same marks as
// StateDocument::marks().
StateDocument::Parse read_marks(std::string_view text, pool::MarkMap& marks, std::string& problem);

} // namespace state
