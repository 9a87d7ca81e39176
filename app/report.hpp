#pragma once

// How a send that did not succeed is reported: one message on stderr (or,
// with ask --json and stream --raw, one JSON error line) and an exit code.

#include "common.hpp"
#include "console.hpp"
#include "send.hpp"

#include "pool/walker.hpp"
#include "upstream/provider.hpp"
#include "util/error.hpp"

#include <optional>
#include <string>

namespace app {

class Reporter {
public:
  // `machine`: ask --json or stream --raw, whose errors are JSON lines.
  Reporter(const Console& console, bool machine, const upstream::Provider& provider,
           std::string base_url)
      : m_console(console), m_machine(machine), m_provider(provider),
        m_base_url(std::move(base_url)) {}

  // Says `message` (of error type `type`, for JSON) and returns `code`.
  int fail(util::ExitCode code, const std::string& type, const std::string& message,
           std::optional<long long> retry_after = {}) const;

  // Reports a walk that ended without success: an interrupt, the failure of
  // the last attempt (failed), or an exhausted pool (transient: some key
  // cooling, exit 75; permanent: every key disabled, exit 77). `source` says
  // how many keys there were and where they came from; `wait` is --wait as
  // given. Returns the exit code.
  int walk_failed(const pool::WalkResult& result, const AttemptRecord& record,
                  const KeySource& source, const std::optional<std::string>& wait) const;
  // The shared store the walk's marks came from ("redis://HOST:PORT/DB"):
  // when every key is disabled by them and no request was made, the message
  // says so, since another machine (or whoever can write there) made them.
  void marks_from(std::string store) { m_marks_from = std::move(store); }

  // Reports the failure of one attempt, reported without failover: the
  // upstream's error as its reading parsed it (record.reading.error), or an
  // excerpt of a body that is not an API error, a network failure, a broken
  // answer or a stream's error event. Returns the exit code.
  int upstream_failure(const pool::AttemptOutcome& outcome, const AttemptRecord& record) const;

private:
  const Console& m_console;
  bool m_machine;
  const upstream::Provider& m_provider;
  std::string m_base_url;
  std::string m_marks_from;
};

} // namespace app
