#include "upstream_text.hpp"

#include "keys/key.hpp"

namespace app {

util::Redactor key_redactor(const KeySource& source) {
  util::Redactor redactor;
  for (const auto& key : source.keys) {
    redactor.add(key.secret, key.hint);
    if (auto aws = keys::aws_key_parts(key.secret)) {
      // An upstream may quote the secret access key alone.
      redactor.add(std::string(aws->secret_access_key), key.hint);
    }
  }
  return redactor;
}

void redact(upstream::UpstreamError& error, const util::Redactor& redactor) {
  redactor.apply_in_place(error.type);
  redactor.apply_in_place(error.message);
}

upstream::AnswerReading read_answer(const upstream::Provider& provider, upstream::Attempt& attempt,
                                    const util::Redactor& redactor, util::TimePoint now) {
  if (!redactor.empty()) {
    redactor.apply_in_place(attempt.error_body);
    redactor.apply_in_place(attempt.transfer.message);
    upstream::Headers headers;
    for (const auto& [name, value] : attempt.headers.fields()) {
      headers.add(name, redactor.apply(value));
    }
    attempt.headers = std::move(headers);
  }
  upstream::AnswerReading reading = provider.read(attempt, now);
  if (reading.error) {
    redact(*reading.error, redactor);
  }
  redactor.apply_in_place(reading.error_type);
  redactor.apply_in_place(reading.error_code);
  return reading;
}

} // namespace app
