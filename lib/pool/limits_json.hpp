#pragma once

// The JSON object of the last rate limits seen for one model of a key:
// {"seen": TIME, KIND: {"remaining": N, "limit": N, "reset": TIME}, ...}.
// One writer for every place that shows or keeps it: the state file and
// Redis (the state layer, which also reads it back) and `keys status --json`
// (app). Only the declaration of nlohmann's types reaches the includer.
#include "pool/key_marks.hpp"

#include <nlohmann/json_fwd.hpp>

namespace pool {

// "seen" first, then each kind in the order of `limits.readings`; a count
// of -1 (not sent) and a reset not sent are left out.
nlohmann::ordered_json limits_json(const ModelLimits& limits);

} // namespace pool
