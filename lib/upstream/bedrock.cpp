#include "upstream/bedrock.hpp"

#include "upstream/bedrock_events.hpp"
#include "upstream/retry_after.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <curl/curl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace upstream {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

bool is_region(std::string_view region) {
  return !region.empty() && region.size() <= 64 &&
         std::all_of(region.begin(), region.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

// x-amzn-ErrorType may carry a namespace after a colon
// ("ThrottlingException:http://internal.amazon.com/coral/..."), and a body's
// __type one before a '#' ("com.amazon.coral.service#ThrottlingException").
std::string bare_type(std::string_view type) {
  type = util::trim(type);
  if (auto colon = type.find(':'); colon != std::string_view::npos) {
    type = type.substr(0, colon);
  }
  if (auto hash = type.rfind('#'); hash != std::string_view::npos) {
    type = type.substr(hash + 1);
  }
  return std::string(type);
}

std::string string_field(const json& document, const char* name) {
  auto field = document.find(name);
  return field != document.end() && field->is_string() ? field->get<std::string>() : std::string();
}

} // namespace

BedrockProvider::BedrockProvider(std::string region) : m_region(std::move(region)) {
  if (m_region.empty()) {
    throw util::Error(util::ExitCode::config,
                      "the bedrock provider needs an AWS region: give --region, or set AWS_REGION "
                      "or AWS_DEFAULT_REGION (e.g. us-east-1)");
  }
  if (!is_region(m_region)) {
    throw util::Error(util::ExitCode::config,
                      "the AWS region may hold only lower-case letters, digits and dashes "
                      "(e.g. us-east-1)");
  }
  m_profile = ProviderProfile{
      "bedrock",
      fmt::format("https://bedrock-runtime.{}.amazonaws.com", m_region),
      "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
      "AWS_BEARER_TOKEN_BEDROCK",
      "bedrock.keys",
      // A global inference profile: served from every commercial region.
      "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "x-amzn-requestid",
      "a Messages response",
      "message_stop",
      1.0,
      "", // not served by the listener in this version
      "application/vnd.amazon.eventstream",
  };
}

std::string BedrockProvider::build_body(const PromptRequest& request,
                                        std::string_view base_url) const {
  // The Messages body, `model` included: the walk reads it from there
  // (request_model), and request() moves it into the path.
  return m_messages.build_body(request, base_url);
}

HttpRequest BedrockProvider::request(std::string_view base_url, const std::string& secret,
                                     std::string body, bool stream) const {
  ordered_json document = ordered_json::parse(body, nullptr, false);
  std::string model;
  if (document.is_object()) {
    if (auto field = document.find("model"); field != document.end() && field->is_string()) {
      model = field->get<std::string>();
    }
    document.erase("model");
    document.erase("stream"); // the path says whether the answer streams
    if (!document.contains("anthropic_version")) {
      document["anthropic_version"] = k_bedrock_anthropic_version;
    }
    body = json_line(document);
  }
  HttpRequest request{
      "POST",
      fmt::format("{}/model/{}/{}", base_url, path_segment(model),
                  stream ? "invoke-with-response-stream" : "invoke"),
      {
          "content-type: application/json",
          stream ? "accept: application/vnd.amazon.eventstream" : "accept: application/json",
      },
      std::move(body),
      std::nullopt};
  authorize(request, secret);
  return request;
}

HttpRequest BedrockProvider::probe(std::string_view base_url, const std::string& secret,
                                   const std::string& model) const {
  // The smallest InvokeModel: one output token, for the model a walk would
  // use. Bedrock has no free call that needs what invoke needs: CountTokens
  // is its own IAM action (a policy granting only InvokeModel would see a
  // working key refused, and keys check disable it), takes no inference
  // profile ids and serves only some models and regions; the model lists
  // live on another endpoint (bedrock, not bedrock-runtime) behind other
  // permissions. This probe costs about ten tokens per key, and meets the
  // walk's permission, model, region and quota (docs/contract.md, Bedrock).
  ordered_json body = {{"anthropic_version", k_bedrock_anthropic_version},
                       {"max_tokens", 1},
                       {"messages", ordered_json::array({{{"role", "user"}, {"content", "hi"}}})}};
  HttpRequest request{"POST",
                      fmt::format("{}/model/{}/invoke", base_url, path_segment(model)),
                      {"content-type: application/json", "accept: application/json"},
                      json_line(body),
                      std::nullopt};
  authorize(request, secret);
  return request;
}

HttpRequest BedrockProvider::forward(std::string_view base_url, const std::string& secret,
                                     std::string method, std::string_view path,
                                     std::vector<std::string> headers, std::string body) const {
  HttpRequest request{std::move(method), std::string(base_url) + std::string(path),
                      std::move(headers), std::move(body), std::nullopt};
  authorize(request, secret);
  return request;
}

void BedrockProvider::authorize(HttpRequest& request, const std::string& secret) const {
  if (auto iam = split_iam_key(secret)) {
    request.signing =
        AwsSigning{fmt::format("aws:amz:{}:bedrock", m_region), std::string(iam->access_key_id),
                   std::string(iam->secret_access_key)};
    return;
  }
  request.headers.push_back("authorization: Bearer " + secret);
}

std::string BedrockProvider::error_body(std::string_view, std::string_view message) const {
  return json_line(ordered_json{{"message", std::string(message)}});
}

std::optional<std::string> BedrockProvider::unusable_secret(std::string_view secret) const {
  if (!split_iam_key(secret) || libcurl_signs_bedrock_paths()) {
    return std::nullopt;
  }
  return fmt::format(
      "an IAM access key needs libcurl 8.9.0 or later to sign Bedrock requests, and this bridge "
      "runs with libcurl {} (which signs the %3A of Claude model ids other than AWS does); "
      "install a newer libcurl (on Debian 12: libcurl4 from bookworm-backports), or use Bedrock "
      "API keys, which work with any libcurl",
      libcurl_version());
}

std::unique_ptr<EventReader> BedrockProvider::event_reader() const {
  return std::make_unique<BedrockEventReader>();
}

std::optional<std::string> BedrockProvider::answer_text(std::string_view body) const {
  return m_messages.answer_text(body);
}

EventKind BedrockProvider::decode_event(const SseEvent& event, bool want_text, std::string& text,
                                        UpstreamError& error) const {
  return m_messages.decode_event(event, want_text, text, error);
}

Provider::ErrorBody BedrockProvider::read_error_body(long, const Headers& headers,
                                                     std::string_view body) const {
  ErrorBody read;
  json document = json::parse(body, nullptr, false);
  std::string type;
  if (auto header = headers.get("x-amzn-errortype")) {
    type = bare_type(*header);
  }
  std::string message;
  if (document.is_object()) {
    if (type.empty()) {
      type = bare_type(string_field(document, "__type"));
    }
    message = string_field(document, "message");
    if (message.empty()) {
      message = string_field(document, "Message");
    }
  }
  if (type.empty()) {
    return read; // not an AWS error: the status decides, as for any other answer
  }
  read.error = UpstreamError{type, message};
  if (type == "ThrottlingException" || type == "ServiceQuotaExceededException") {
    read.fault = limits::KeyFault::rate;
  } else if (type == "AccessDeniedException" || type == "UnrecognizedClientException" ||
             type == "ExpiredTokenException") {
    read.fault = limits::KeyFault::revoked;
  } else {
    read.fault = limits::KeyFault::none;
    if (type == "ModelNotReadyException") {
      read.should_retry = true; // the model is loading: the same key will do, later
    }
  }
  return read;
}

util::Millis BedrockProvider::retry_after(long, const Headers& headers, util::TimePoint now) const {
  return parse_retry_after(headers, now);
}

std::vector<limits::LimitReading> BedrockProvider::rate_limits(const Headers&,
                                                               util::TimePoint) const {
  return {}; // Bedrock reports no rate-limit headers
}

std::optional<IamKey> split_iam_key(std::string_view secret) {
  auto colon = secret.find(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view id = secret.substr(0, colon);
  std::string_view key = secret.substr(colon + 1);
  bool id_shape =
      id.size() >= 16 && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      });
  if (!id_shape || key.empty()) {
    return std::nullopt;
  }
  return IamKey{id, key};
}

bool libcurl_signs_bedrock_paths() {
  return curl_version_info(CURLVERSION_NOW)->version_num >= 0x080900;
}

std::string libcurl_version() { return curl_version_info(CURLVERSION_NOW)->version; }

std::string path_segment(std::string_view model) {
  std::string out;
  for (char c : model) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", byte);
    }
  }
  return out;
}

} // namespace upstream
