#pragma once

#include "upstream/provider.hpp"

namespace upstream {

// The Anthropic Messages API: POST {base}/v1/messages with x-api-key and
// anthropic-version; text in the `text` content blocks; server-sent events
// with names (content_block_delta, message_stop, error); errors as
// {"type":"error","error":{"type":T,"message":M}}. Spend and billing limits:
// a 429 whose error.details.error_code is enforced_spend_limit_reached (until
// the time its message names), a 400 whose message begins "You have reached
// your specified [workspace] API usage limits", a 402. Rate limits in the
// anthropic-ratelimit-* headers, resets as RFC 3339 times.
class AnthropicProvider final : public Provider {
public:
  const ProviderProfile& profile() const override;
  std::string build_body(const PromptRequest& request, std::string_view base_url) const override;
  HttpRequest request(std::string_view base_url, const std::string& secret, std::string body,
                      bool stream) const override;
  HttpRequest probe(std::string_view base_url, const std::string& secret,
                    const std::string& model) const override;
  HttpRequest forward(std::string_view base_url, const std::string& secret, std::string method,
                      std::string_view path, std::vector<std::string> headers,
                      std::string body) const override;
  std::string error_body(std::string_view type, std::string_view message) const override;
  std::optional<std::string> answer_text(std::string_view body) const override;
  EventKind decode_event(const SseEvent& event, bool want_text, std::string& text,
                         UpstreamError& error) const override;

private:
  // The error an error body or an `error` event names; nullopt when it is
  // not of this provider's shape.
  std::optional<UpstreamError> parse_error(std::string_view body) const;
  ErrorBody read_error_body(long status, const Headers& headers,
                            std::string_view body) const override;
  util::Millis retry_after(long status, const Headers& headers, util::TimePoint now) const override;
  std::vector<limits::LimitReading> rate_limits(const Headers& headers,
                                                util::TimePoint now) const override;
};

// The moment a spend-limit message names ("... You will regain access on
// 2026-09-01 at 00:00 UTC."; a date alone is midnight UTC), if it names one.
std::optional<util::TimePoint> regain_access_time(std::string_view message);

// When the server sent an answer that arrived at `now` (our clock), for
// measuring the times it names. Its `Date` says so to within a second (an
// HTTP date has whole seconds): the answer left in [Date, Date + 1 s). Our
// clock is used where it falls in that second (it is finer than the header;
// measuring from the start of the second made every span up to a second too
// long, and the refill rate derived from `-reset` too low for good:
// docs/marks.md, "Claims"); otherwise the end of the second nearest to it:
// a clock ahead (or an answer slow on its way) gets the latest moment the
// Date allows, so a span is never stretched. No Date: `now`.
util::TimePoint response_origin(const Headers& headers, util::TimePoint now);

inline constexpr const char* k_anthropic_version = "2023-06-01";

// The default max_tokens: the Messages API requires one.
inline constexpr long k_anthropic_default_max_tokens = 4096;

} // namespace upstream
