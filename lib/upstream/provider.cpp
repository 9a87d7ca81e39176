#include "upstream/provider.hpp"

#include "upstream/anthropic.hpp"
#include "upstream/bedrock.hpp"
#include "upstream/openai.hpp"
#include "util/interrupt.hpp"
#include "util/strings.hpp"

namespace upstream {

// The one place that lists the providers: a new one is a pair of files and
// a line here.
const std::vector<std::string>& provider_names() {
  static const std::vector<std::string> k_names = {"anthropic", "openai", "bedrock"};
  return k_names;
}

const std::vector<std::string>& listener_provider_names() {
  static const std::vector<std::string> k_names = {"anthropic", "openai"};
  return k_names;
}

std::unique_ptr<Provider> make_provider(std::string_view name, const ProviderSettings& settings) {
  if (name == "anthropic") {
    return std::make_unique<AnthropicProvider>();
  }
  if (name == "openai") {
    return std::make_unique<OpenAiProvider>();
  }
  if (name == "bedrock") {
    return std::make_unique<BedrockProvider>(settings.region);
  }
  return nullptr;
}

std::optional<std::string> Provider::unusable_secret(std::string_view) const {
  return std::nullopt;
}

std::unique_ptr<EventReader> Provider::event_reader() const {
  return std::make_unique<SseEventReader>();
}

bool Attempt::unreachable() const {
  using Error = TransferResult::Error;
  switch (transfer.error) {
  case Error::resolve:
  case Error::connect:
  case Error::tls:
  case Error::timeout:
  case Error::idle:
  case Error::dropped:
    return status == 0;
  case Error::none:
  case Error::stopped:
  case Error::interrupted:
  case Error::other:
    break;
  }
  return false;
}

AnswerReading Provider::read(const Attempt& attempt, util::TimePoint now) const {
  using Error = TransferResult::Error;
  const TransferResult& transfer = attempt.transfer;
  AnswerReading reading;
  reading.status = attempt.status;
  reading.received_bytes = transfer.received_bytes;
  // A Ctrl-C may land after the transfer ended: the attempt is interrupted
  // all the same, so that the walk stops at once.
  if (transfer.error == Error::interrupted || util::interrupted()) {
    reading.kind = AnswerReading::Kind::interrupted;
    return reading;
  }
  bool failed = transfer.error != Error::none && transfer.error != Error::stopped;
  if (failed && (attempt.status == 0 || !transfer.received_bytes)) {
    // Nothing of an answer to read.
    reading.kind = AnswerReading::Kind::no_answer;
    return reading;
  }
  if (attempt.status < 200 || attempt.status >= 300) {
    ErrorBody body = read_error_body(attempt.status, attempt.headers, attempt.error_body);
    reading.error_type = body.error ? body.error->type : error_type_for_status(attempt.status);
    reading.error = std::move(body.error);
    reading.error_code = std::move(body.code);
    reading.limit = body.limit;
    reading.limit_end = body.limit_end;
    reading.fault = body.fault;
    reading.should_retry = body.should_retry;
  }
  reading.limits = rate_limits(attempt.headers, now);
  reading.retry_after = retry_after(attempt.status, attempt.headers, now);
  if (auto should = attempt.headers.get("x-should-retry")) {
    if (util::iequals(util::trim(*should), "true")) {
      reading.should_retry = true;
    } else if (util::iequals(util::trim(*should), "false")) {
      reading.should_retry = false;
    }
  }
  if (failed) {
    // The answer began, then the connection failed.
    reading.kind = AnswerReading::Kind::cut_off;
  }
  return reading;
}

} // namespace upstream
