#pragma once

#include "command.hpp"
#include "pool/outcome.hpp"
#include "upstream/headers.hpp"
#include "upstream/messages.hpp"
#include "upstream/provider.hpp"
#include "upstream/transport.hpp"

#include <optional>
#include <string>
#include <vector>

namespace app {

// Options of `ask` and `stream` (docs/contract.md, commands).
struct SendOptions {
  std::optional<std::string> model;
  std::optional<std::string> system;
  std::optional<long> max_tokens;     // the provider's default when not given
  std::optional<double> temperature;
  std::vector<std::string> stop;
  std::optional<std::string> request_file;
  std::optional<int> retries;
  std::optional<std::string> wait;    // MAX seconds (a bare --wait is "300")
  double timeout = 600;
  double connect_timeout = 10;
  double idle_timeout = 120;
  bool no_stdin = false;
  bool machine_output = false;        // ask --json, stream --raw
  std::vector<std::string> words;
};

void add_send_options(CLI::App& sub, SendOptions& options);

// What one attempt saw, kept for reporting once the walk is over.
struct AttemptRecord {
  const keys::Key* key = nullptr;     // the key of this attempt
  long status = 0;
  upstream::Headers headers;
  std::string error_body;             // the body of a non-2xx answer (capped)
  upstream::TransferResult transfer;
  std::string broken;                 // why a begun answer failed, when it did
  std::optional<upstream::UpstreamError> stream_error; // an `error` event
};

// The subcommand-specific half of a send: how a response is received and
// what is printed. One object serves every attempt of a walk.
class Exchange : public upstream::ResponseHandler {
public:
  // The upstream API whose answers this exchange reads; set by run_send
  // before the first attempt.
  void use(const upstream::Provider& provider) { m_provider = &provider; }

  // Called before each attempt.
  virtual void begin(AttemptRecord& record) = 0;
  // Called when an attempt's transfer is over, before its answer is
  // classified: keeps the body of a non-2xx answer in record.error_body, so
  // that the classification sees (and the mark records) the upstream's
  // error type, not one guessed from the status.
  virtual void ended(AttemptRecord& record) = 0;
  // Called after each attempt: returns the outcome for the walker. The base
  // class has classified HTTP answers and transfer errors already in `base`.
  virtual pool::AttemptOutcome finish(AttemptRecord& record, pool::AttemptOutcome base) = 0;
  // Called once when the walk succeeded: the final output.
  virtual void succeed(AttemptRecord& record) = 0;

protected:
  const upstream::Provider* m_provider = nullptr;
};

// Runs ask or stream: builds the body, walks the pool with `exchange`, and
// reports. Returns the exit code.
int run_send(const GlobalOptions& global, const SendOptions& options, bool stream, Exchange& exchange);

// The largest blocking answer (and error body) we hold in memory.
inline constexpr std::size_t k_max_answer = 64 * 1024 * 1024;

} // namespace app
