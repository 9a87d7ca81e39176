#pragma once

// The one adapter between upstream's reading of an answer and the walk:
// upstream does not know the pool, and the pool does not know HTTP.

#include "pool/outcome.hpp"
#include "upstream/attempt.hpp"

namespace app {

// The walk's view of `reading`: an interrupt, a network failure (with
// whether any byte had arrived), or an answer with its status, error type,
// limit, rate-limit readings, delay and x-should-retry. An answer cut off
// mid-way is a network failure that had received bytes, and keeps what its
// head said. Every command that judges an answer (ask, stream, keys check)
// goes through here.
pool::AttemptOutcome outcome_of(const upstream::AnswerReading& reading);

} // namespace app
