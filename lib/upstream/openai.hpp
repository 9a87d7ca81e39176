#pragma once

#include "upstream/provider.hpp"

namespace upstream {

// The OpenAI Chat Completions API, which OpenAI and many other hosts and
// local servers speak: POST {base}/chat/completions with a bearer token;
// text in choices[0].message.content, or in the choices[0].delta.content of
// unnamed `data:` events until `data: [DONE]`; errors as
// {"error":{"message":M,"type":T,"param":P,"code":C}}. Its base URL includes
// the API version (https://api.openai.com/v1).
class OpenAiProvider final : public Provider {
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
  ErrorBody read_error_body(long status, const Headers& headers,
                            std::string_view body) const override;
  util::Millis retry_after(long status, const Headers& headers, util::TimePoint now) const override;
  std::vector<limits::LimitReading> rate_limits(const Headers& headers,
                                                util::TimePoint now) const override;
};

// Whether `base_url` points at OpenAI's own API host, whose newer models
// refuse max_tokens and want max_completion_tokens.
bool is_openai_host(std::string_view base_url);

} // namespace upstream
