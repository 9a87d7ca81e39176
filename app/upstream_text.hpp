#pragma once

// Text that came from the upstream, made safe to show and to store. An
// upstream may quote the credential it was sent ("Incorrect API key
// provided: Bearer sk-…") in an error's message, type or code, in a body
// that is not JSON, or in a header; bridge prints those texts and keeps an
// error type as a mark's reason. Every key of the invocation is replaced by
// its hint (keys::key_hint) before any of it leaves the process.

#include "common.hpp"

#include "upstream/attempt.hpp"
#include "upstream/messages.hpp"
#include "upstream/provider.hpp"
#include "util/clock.hpp"
#include "util/redaction.hpp"

namespace app {

// Replaces each key of `source` (the pool, or the one BYOK key) by its hint.
util::Redactor key_redactor(const KeySource& source);

// The one way an answer is read: the keys are replaced in what came back
// (the error body and every header value of `attempt`, in place), the
// provider reads it (Provider::read), and the texts of the reading (error
// type, code, message) are cleaned once more, since JSON escapes can spell
// a key that the raw body does not show byte for byte. `ask`, `stream` and
// `keys check` all read through here, so what they print, and a mark's
// reason in the state file or Redis, never holds a key.
upstream::AnswerReading read_answer(const upstream::Provider& provider, upstream::Attempt& attempt,
                                    const util::Redactor& redactor, util::TimePoint now);

// The keys replaced in an error decoded from elsewhere (a stream's error
// event).
void redact(upstream::UpstreamError& error, const util::Redactor& redactor);

} // namespace app
