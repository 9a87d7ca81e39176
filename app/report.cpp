// How a send that did not succeed is reported.
#include "report.hpp"

#include "upstream/messages.hpp"
#include "util/interrupt.hpp"
#include "util/strings.hpp"
#include "util/time_format.hpp"

#include <fmt/format.h>

namespace app {

using util::ExitCode;

namespace {

// A short, printable excerpt of a body that is not the JSON we expected.
std::string excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 200)) {
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7F) ? ' ' : c;
  }
  out = std::string(util::trim(out));
  if (body.size() > 200) {
    out += "...";
  }
  return out;
}

} // namespace

int Reporter::fail(ExitCode code, const std::string& type, const std::string& message,
                   std::optional<long long> retry_after) const {
  if (m_machine) {
    m_console.raw_line(upstream::error_json({type, message}, retry_after));
  } else {
    m_console.error(message);
  }
  return static_cast<int>(code);
}

int Reporter::walk_failed(const pool::WalkResult& result, const AttemptRecord& record,
                          const KeySource& source, const std::optional<std::string>& wait) const {
  bool byok = source.mode == KeySource::Mode::byok;
  const std::string& key_env = m_provider.profile().key_env;
  std::size_t total = source.keys.size();
  switch (result.kind) {
  case pool::WalkResult::Kind::success:
    break;
  case pool::WalkResult::Kind::interrupted:
    return fail(static_cast<ExitCode>(util::interrupt_exit_code()), "api_error",
                util::interrupt_message());
  case pool::WalkResult::Kind::failed:
    return upstream_failure(result.outcome, record);
  case pool::WalkResult::Kind::transient: {
    long long seconds = (result.retry_after.count() + 999) / 1000; // rounded up
    std::string when = util::format_delay(result.retry_after);
    std::string message =
        byok ? fmt::format("the key in {} is rate-limited (retry after {})", key_env, when)
        : result.disabled == 0
            ? (total == 1
                   ? fmt::format("the only configured key is rate-limited (retry after {})", when)
                   : fmt::format("all {} configured keys are rate-limited (retry after {})", total,
                                 when))
            : fmt::format(
                  "no usable key: {} rate-limited, {} disabled, of {} configured (retry after {})",
                  result.cooling, result.disabled, total, when);
    if (wait && result.retry_after > util::Millis{0}) {
      // --wait was given but could not cover the soonest key: say so, or the
      // user wonders why it did not wait.
      message += fmt::format("; --wait={} is too short for that", util::trim(*wait));
    }
    return fail(ExitCode::temp_fail, "rate_limit_error", message, seconds);
  }
  case pool::WalkResult::Kind::permanent: {
    std::string last = result.outcome.error_type.empty()
                           ? std::string()
                           : fmt::format(" (last answer: {} {})", result.outcome.status,
                                         result.outcome.error_type);
    if (!byok && result.attempts == 0 && !m_marks_from.empty()) {
      last = fmt::format(" (marks from {}; no request was made)", m_marks_from);
    }
    std::string message =
        byok ? fmt::format("the key in {} was refused{}", key_env, last)
             : fmt::format("{} disabled{}; fix {} and run 'bridge keys reset'",
                           total == 1 ? std::string("the only configured key is")
                                      : fmt::format("all {} configured keys are", total),
                           last, source.key_file);
    return fail(ExitCode::no_permission, "api_error", message);
  }
  }
  return 1;
}

int Reporter::upstream_failure(const pool::AttemptOutcome& outcome,
                               const AttemptRecord& record) const {
  std::string request_id;
  auto id = record.attempt.headers.get(m_provider.profile().request_id_header);
  if (id) {
    request_id = fmt::format(" (request-id {})", *id);
  }
  switch (outcome.kind) {
  case pool::AttemptOutcome::Kind::interrupted:
    return fail(static_cast<ExitCode>(util::interrupt_exit_code()), "api_error",
                util::interrupt_message());
  case pool::AttemptOutcome::Kind::broken_answer:
    if (record.stream_error) {
      // Raw mode relayed the event already; text mode says it after the text.
      if (!m_machine) {
        m_console.error(fmt::format("stream error: {}: {}{}", record.stream_error->type,
                                    record.stream_error->message, request_id));
      }
      return static_cast<int>(ExitCode::upstream_error);
    }
    return fail(ExitCode::upstream_error, "api_error", record.broken + request_id);
  case pool::AttemptOutcome::Kind::network_failure: {
    bool unreachable = !outcome.received_bytes;
    // A server that accepted the connection and then kept silent was
    // reached: its request timed out (a connect timeout is a connect error).
    bool timed_out = record.attempt.transfer.error == upstream::TransferResult::Error::timeout ||
                     record.attempt.transfer.error == upstream::TransferResult::Error::idle;
    std::string message =
        !unreachable ? fmt::format("the connection to {} failed mid-answer: {}", m_base_url,
                                   record.attempt.transfer.message)
        : timed_out
            ? fmt::format("the request to {} timed out (connected, no answer): {}", m_base_url,
                          record.attempt.transfer.message)
            : fmt::format("cannot reach {}: {}", m_base_url, record.attempt.transfer.message);
    return fail(unreachable ? ExitCode::unavailable : ExitCode::upstream_error,
                record.attempt.transfer.error == upstream::TransferResult::Error::timeout ||
                        record.attempt.transfer.error == upstream::TransferResult::Error::idle
                    ? "timeout_error"
                    : "api_connection_error",
                message);
  }
  case pool::AttemptOutcome::Kind::answered:
    break;
  }
  // An OpenAI-compatible base URL is the API root, /v1 included; without it
  // the server knows no /chat/completions.
  if (record.attempt.status == 404 && m_provider.profile().name == "openai" &&
      m_base_url.find("/v1") == std::string::npos) {
    request_id +=
        fmt::format("; an OpenAI-compatible base URL usually ends in /v1: try {}/v1", m_base_url);
  }
  // The provider parsed the body once, when it read the attempt.
  const auto& parsed = record.reading.error;
  if (m_machine) {
    upstream::UpstreamError error =
        parsed ? *parsed
               : upstream::UpstreamError{upstream::error_type_for_status(record.attempt.status),
                                         fmt::format("HTTP {}: {}", record.attempt.status,
                                                     excerpt(record.attempt.error_body))};
    std::optional<std::string> machine_id;
    if (id) {
      machine_id = std::string(*id);
    }
    m_console.raw_line(upstream::error_json(error, {}, machine_id));
  } else if (parsed) {
    m_console.error(fmt::format("upstream error {} {}: {}{}", record.attempt.status, parsed->type,
                                parsed->message, request_id));
  } else {
    m_console.error(fmt::format("upstream error {} (body is not an API error): {}{}",
                                record.attempt.status, excerpt(record.attempt.error_body),
                                request_id));
  }
  return static_cast<int>(ExitCode::upstream_error);
}

} // namespace app
