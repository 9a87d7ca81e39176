#include "answer_outcome.hpp"

namespace app {

pool::AttemptOutcome outcome_of(const upstream::AnswerReading& reading) {
  using Kind = upstream::AnswerReading::Kind;
  switch (reading.kind) {
  case Kind::interrupted: {
    pool::AttemptOutcome outcome;
    outcome.kind = pool::AttemptOutcome::Kind::interrupted;
    return outcome;
  }
  case Kind::no_answer:
    return pool::AttemptOutcome::network(reading.received_bytes);
  case Kind::answered:
  case Kind::cut_off:
    break;
  }
  auto outcome = pool::AttemptOutcome::answer(static_cast<int>(reading.status), reading.error_type);
  outcome.limit = reading.limit;
  outcome.fault = reading.fault;
  outcome.limit_end = reading.limit_end;
  outcome.limits = reading.limits;
  outcome.retry_after = reading.retry_after;
  outcome.should_retry = reading.should_retry;
  if (reading.kind == Kind::cut_off) {
    // The answer began, then the connection failed: not retried, since the
    // upstream may have done the work.
    outcome.kind = pool::AttemptOutcome::Kind::network_failure;
    outcome.received_bytes = true;
  }
  return outcome;
}

} // namespace app
