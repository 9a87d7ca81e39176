#pragma once

// The half of `ask` and `stream` they share: one walk over the pool, one
// attempt per key tried, and the report of anything but success.

#include "common.hpp"
#include "console.hpp"
#include "send_options.hpp"

#include "pool/mark_store.hpp"
#include "pool/outcome.hpp"
#include "pool/walker.hpp"
#include "upstream/attempt.hpp"
#include "upstream/provider.hpp"
#include "upstream/transport.hpp"
#include "util/clock.hpp"
#include "util/redaction.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace app {

// What one attempt saw, kept for reporting once the walk is over.
struct AttemptRecord {
  const keys::Key* key = nullptr;  // the key of this attempt
  upstream::Attempt attempt;       // status, headers, the (capped) error body, the transfer
  upstream::AnswerReading reading; // the provider's reading of `attempt`
  std::string broken;              // why a begun answer failed, when it did
  std::optional<upstream::UpstreamError> stream_error; // an `error` event
};

// The subcommand-specific half of a send: how a response is received and
// what is printed. One object serves every attempt of a walk.
class Exchange : public upstream::ResponseHandler {
public:
  // The upstream API whose answers this exchange reads, and the keys to
  // replace in whatever of them it prints (upstream_text.hpp); set by
  // send_body before the first attempt. `redactor` must outlive the walk.
  void use(const upstream::Provider& provider, const util::Redactor& redactor) {
    m_provider = &provider;
    m_redactor = &redactor;
  }

  // Called before each attempt.
  virtual void begin(AttemptRecord& record) = 0;
  // Called when an attempt's transfer is over, before its answer is read:
  // keeps the body of a non-2xx answer in record.attempt.error_body, so that
  // the reading sees (and the mark records) the upstream's error type, not
  // one guessed from the status.
  virtual void ended(AttemptRecord& record) = 0;
  // Called after each attempt: returns the outcome for the walker. `base`
  // is the provider's reading of the attempt (record.reading) in the walk's
  // terms; the exchange may turn it into a broken answer.
  virtual pool::AttemptOutcome finish(AttemptRecord& record, pool::AttemptOutcome base) = 0;
  // Called once when the walk succeeded: the final output.
  virtual void succeed(AttemptRecord& record) = 0;

protected:
  // Upstream text as it may be printed: the keys replaced by their hints.
  // The view is `text` itself when no key occurs in it (a stream's bytes are
  // not copied), else the replaced text, valid until the next call.
  std::string_view shown(std::string_view text) {
    return m_redactor ? m_redactor->apply(text, m_shown) : text;
  }

  const upstream::Provider* m_provider = nullptr;
  const util::Redactor* m_redactor = nullptr;

private:
  std::string m_shown; // the last replaced text shown() returned
};

// What a send needs from the world, resolved by run_send in production and
// made of fakes by a test: the provider and base URL, the keys, where marks
// go, the clock the walk reads and sleeps on, the transport that carries the
// requests, and the console that hears about it.
struct SendWorld {
  const upstream::Provider& provider;
  const std::string& base_url;
  const KeySource& source;
  pool::PoolStore& store;
  util::Clock& clock;
  upstream::Transport& transport;
  const Console& console;
  std::function<double()> jitter; // [0, 1) for the retry backoff; a random source when empty
  // Where the marks came from when that is a shared store (Redis, without
  // its password), asked after the walk; empty otherwise (PoolState).
  std::function<std::string()> shared_marks = {};
  // Where the key that last served each affinity is kept; none: no affinity.
  pool::AffinityStore* affinities = nullptr;
};

// Builds the request of one attempt with the given key.
using RequestMaker = std::function<upstream::HttpRequest(const keys::Key&)>;

// One walk over the pool, the part every sender shares (ask, stream, the
// listener): for each key the walker picks, `make_request` builds the
// request, the transport sends it through `exchange` (begin, the response,
// ended), the answer is read once (read_answer, with `redactor`) and judged
// (outcome_of, then exchange.finish). `record` holds the last attempt when
// the walk is over; `observer` may be null.
pool::WalkResult walk_pool(const SendWorld& world, const pool::WalkOptions& options,
                           const util::Redactor& redactor, Exchange& exchange,
                           const RequestMaker& make_request, AttemptRecord& record,
                           pool::WalkObserver* observer);

// Sends `body` (built already) with each key of the walk in turn through
// `exchange`, and reports how the walk ended (docs/contract.md: messages
// and exit codes). Returns the exit code. Throws util::Error only for a
// malformed --wait (exit 2).
int send_body(const SendWorld& world, const SendOptions& options, const std::string& body,
              bool stream, Exchange& exchange);

// Runs ask or stream: resolves the invocation, builds the body, opens the
// state and the transport, and sends (send_body). Returns the exit code;
// throws util::Error for a usage or configuration error.
int run_send(const GlobalOptions& global, const SendOptions& options, bool stream,
             Exchange& exchange);

} // namespace app
