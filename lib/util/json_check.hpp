#pragma once

// simdjson's On-Demand API reads only what it is asked for: it checks the
// whole text's UTF-8 and the control characters in its strings up front, but
// a value it is told to skip is not checked at all. The readers built on it
// (the state file's marks, the stream's text deltas) must refuse any text
// that nlohmann::json refuses, so they read every value they do not want
// through these functions instead of skipping it.
#include <simdjson.h>

namespace util {

namespace ondemand = simdjson::ondemand;

// Reads `value` to its end, checking every part: each number is parsed, each
// string decoded, each literal matched. False when the text is not valid
// JSON there, when a number is one simdjson does not read (beyond 64-bit
// integers and doubles), or when arrays and objects nest more than `levels`
// deep (1: the value itself may be an array or object, nothing inside it).
// Recursion is bounded by `levels`.
bool check_json_value(ondemand::value value, int levels);

// After the root object or array was read through: whether the text ends
// there (white space aside).
bool json_document_ends(ondemand::document& document);

} // namespace util
