#pragma once

// Reading one answer through the one public call that judges answers
// (Provider::read), for the tests of each provider.

#include "upstream/provider.hpp"

#include <string>

// The provider's reading of a complete answer: `status`, `headers` and
// `body` (the error body of a non-2xx), the transfer ended cleanly.
inline upstream::AnswerReading read_answer(const upstream::Provider& provider, long status,
                                           const upstream::Headers& headers, std::string body,
                                           util::TimePoint now = util::TimePoint{}) {
  upstream::Attempt attempt;
  attempt.status = status;
  attempt.headers = headers;
  attempt.error_body = std::move(body);
  attempt.transfer.status = status;
  attempt.transfer.received_bytes = true;
  return provider.read(attempt, now);
}

// The error the provider finds in an error body (as a 400 answer's).
inline std::optional<upstream::UpstreamError> parse_error(const upstream::Provider& provider,
                                                          std::string body) {
  return read_answer(provider, 400, upstream::Headers{}, std::move(body)).error;
}
