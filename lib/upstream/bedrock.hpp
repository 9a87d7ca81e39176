#pragma once

#include "upstream/anthropic.hpp"
#include "upstream/provider.hpp"

namespace upstream {

// Claude on Amazon Bedrock (bedrock-runtime): POST
// {base}/model/{modelId}/invoke (or /invoke-with-response-stream) with the
// Messages body less `model` and `stream`, plus "anthropic_version":
// "bedrock-2023-05-31"; the model id is path-encoded (":" as %3A). The
// answer is Anthropic's; a stream is AWS event-stream frames carrying
// Anthropic events (BedrockEventReader).
//
// Credentials, one per key-file line: a Bedrock API key, sent as
// `authorization: Bearer`; or an IAM access key written
// ACCESS_KEY_ID:SECRET_ACCESS_KEY, signed with SigV4 by libcurl. A libcurl
// older than 8.9.0 signs a path holding "%3A" (every Claude model id) other
// than AWS does, so IAM keys are refused there (unusable_secret).
//
// Errors are judged by their type (x-amzn-ErrorType, else the body's
// `__type`), not their status: ThrottlingException and
// ServiceQuotaExceededException cool the key for the model;
// AccessDeniedException, UnrecognizedClientException and
// ExpiredTokenException disable it; anything else is not the key's
// (ModelNotReadyException retried, as 5xx are).
class BedrockProvider final : public Provider {
public:
  // Throws util::Error (exit 78) when `region` is empty or not a region's
  // name (letters, digits and dashes).
  explicit BedrockProvider(std::string region);

  const ProviderProfile& profile() const override { return m_profile; }
  std::string build_body(const PromptRequest& request, std::string_view base_url) const override;
  HttpRequest request(std::string_view base_url, const std::string& secret, std::string body,
                      bool stream) const override;
  HttpRequest probe(std::string_view base_url, const std::string& secret,
                    const std::string& model) const override;
  HttpRequest forward(std::string_view base_url, const std::string& secret, std::string method,
                      std::string_view path, std::vector<std::string> headers,
                      std::string body) const override;
  std::string error_body(std::string_view type, std::string_view message) const override;
  std::optional<std::string> unusable_secret(std::string_view secret) const override;
  std::unique_ptr<EventReader> event_reader() const override;
  std::optional<std::string> answer_text(std::string_view body) const override;
  EventKind decode_event(const SseEvent& event, bool want_text, std::string& text,
                         UpstreamError& error) const override;

private:
  ErrorBody read_error_body(long status, const Headers& headers,
                            std::string_view body) const override;
  util::Millis retry_after(long status, const Headers& headers, util::TimePoint now) const override;
  std::vector<limits::LimitReading> rate_limits(const Headers& headers,
                                                util::TimePoint now) const override;

  // The credential put on a request: a Bearer header, or SigV4 signing.
  void authorize(HttpRequest& request, const std::string& secret) const;

  std::string m_region;
  ProviderProfile m_profile;
  AnthropicProvider m_messages; // the answers and events are Anthropic's
};

inline constexpr const char* k_bedrock_anthropic_version = "bedrock-2023-05-31";

// An IAM access key as a key file writes it (ACCESS_KEY_ID:SECRET_ACCESS_KEY),
// split; nullopt for anything else (a Bedrock API key).
struct IamKey {
  std::string_view access_key_id;
  std::string_view secret_access_key;
};
std::optional<IamKey> split_iam_key(std::string_view secret);

// Whether the libcurl bridge runs with signs Bedrock's paths right (8.9.0
// or later), and its version, for the message that says it does not.
bool libcurl_signs_bedrock_paths();
std::string libcurl_version();

// `model` as one path segment: every byte but unreserved characters
// (RFC 3986: letters, digits, "-", ".", "_", "~") percent-encoded.
std::string path_segment(std::string_view model);

} // namespace upstream
