#pragma once

#include "pool/mark_store.hpp"
#include "state/state_document.hpp"

#include <string>
#include <string_view>

namespace state {

// Reads only the marks from the text of a state file, without building a
// JSON document: one pass of a validating scanner (JsonScanner) that keeps
// the few fields a mark needs and checks the rest. This is the read path of
// every invocation (and of `keys status` over a large pool), so it avoids the
// allocations of a full DOM and the cost of a general lexer; the write path
// still uses StateDocument, which keeps unknown fields.
//
// Gives the same verdict as StateDocument::parse (ok / corrupt / newer
// version, with the reason in `problem`) and the same marks as
// StateDocument::marks(), for any text: the rare text the scanner cannot
// judge alone (a number beyond the range of a double) is read with
// StateDocument itself. On anything but ok, `marks` is left alone.
StateDocument::Parse read_marks(std::string_view text, pool::MarkMap& marks, std::string& problem);

} // namespace state
