#pragma once

#include "limits/limit.hpp"
#include "upstream/attempt.hpp"
#include "upstream/event_reader.hpp"
#include "upstream/headers.hpp"
#include "upstream/messages.hpp"
#include "upstream/sse_parser.hpp"
#include "upstream/transport.hpp"
#include "util/clock.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace upstream {

// The request bridge builds from its options, in no provider's shape yet.
struct PromptRequest {
  std::string model;
  std::string prompt;
  std::optional<std::string> system;
  std::optional<long> max_tokens; // a provider may have a default of its own
  std::optional<double> temperature;
  std::vector<std::string> stop;
  bool stream = false;
};

// How a user configures a provider: where it lives by default, which
// environment variables name its base URL and a lone (BYOK) key, the name of
// its default key file under $XDG_CONFIG_HOME/bridge/, its default model, the
// response header that carries its request id, the words messages use for
// its answer and for the end of its stream, and the range of its temperature.
struct ProviderProfile {
  std::string name;
  std::string default_base_url;
  std::string base_url_env;
  std::string key_env;
  std::string key_file_name;
  std::string default_model;
  std::string request_id_header;
  std::string answer_name;    // "a Messages response"
  std::string end_marker;     // "message_stop"
  double max_temperature = 1; // the top of the API's temperature range (from 0)
  // Where the listener (`bridge exec`, `bridge serve`) serves this API: a request
  // under this path goes to the base URL with the rest of its path.
  std::string listen_prefix;
  // The content type of a streamed answer; the answer's events are read by
  // Provider::event_reader.
  std::string stream_content_type = "text/event-stream";
};

// What a provider may need beyond its name, resolved by the app from options
// and the environment: Amazon Bedrock's region.
struct ProviderSettings {
  std::string region; // empty when none is configured
};

// What one server-sent event means for `stream`.
enum class EventKind {
  text,      // a text delta, appended to the caller's buffer
  ignored,   // a ping, a delta of another kind, an event bridge does not use
  done,      // the stream is complete
  error,     // the upstream reports an error mid-stream
  malformed, // an event that should carry text is not valid: the run fails
};

// One upstream API: how a request is put on the wire, and how its answers,
// events and errors read. The app chooses one (make_provider) and hands it
// around; the walk, the state and the commands never ask which one it is.
// Implementations are stateless and thread-safe.
class Provider {
public:
  virtual ~Provider() = default;

  virtual const ProviderProfile& profile() const = 0;

  // The JSON body for a prompt. `base_url` is given because some fields
  // depend on the host (OpenAI's own host wants max_completion_tokens).
  virtual std::string build_body(const PromptRequest& request, std::string_view base_url) const = 0;
  // The request that sends `body` (built above, or given with --request and
  // passed through adapt_request_body) with `secret`.
  virtual HttpRequest request(std::string_view base_url, const std::string& secret,
                              std::string body, bool stream) const = 0;
  // The cheap request of `keys check` for `secret`. `model` is the model a
  // walk would ask for (BRIDGE_MODEL, else the default); a probe that is
  // not about a model (a model list, which costs no tokens) ignores it.
  virtual HttpRequest probe(std::string_view base_url, const std::string& secret,
                            const std::string& model) const = 0;
  // A request a client of the listener made, for this API: `path` is what
  // follows profile().listen_prefix (with its query), `headers` the client's
  // end-to-end headers without any credential ("name: value"). The result
  // carries `secret` as this API wants it and nothing else of the client's
  // credentials.
  virtual HttpRequest forward(std::string_view base_url, const std::string& secret,
                              std::string method, std::string_view path,
                              std::vector<std::string> headers, std::string body) const = 0;
  // An error body in this API's shape, for answers bridge makes itself
  // (the listener's 429, 401, 404, ...).
  virtual std::string error_body(std::string_view type, std::string_view message) const = 0;

  // Why `secret` cannot be used with this provider on this machine (a
  // credential whose signing the linked libcurl gets wrong), or nullopt.
  // The app refuses such a key before any request (exit 78).
  virtual std::optional<std::string> unusable_secret(std::string_view secret) const;

  // A reader of a streamed answer's bytes into events: server-sent events
  // for most APIs (SseEventReader), AWS event-stream frames for Bedrock.
  virtual std::unique_ptr<EventReader> event_reader() const;

  // The text of a blocking answer; nullopt when the body is not of the
  // provider's shape.
  virtual std::optional<std::string> answer_text(std::string_view body) const = 0;
  // Reads one event of a stream. A text delta is appended to `text`; an
  // error fills `error`. With `want_text` false (relaying --raw) text is not
  // decoded, and only `done` and `error` matter.
  virtual EventKind decode_event(const SseEvent& event, bool want_text, std::string& text,
                                 UpstreamError& error) const = 0;

  // Reads one attempt into everything the walk and the reports need: how it
  // ended, the error the body names (parsed once), the kind of limit, the
  // rate-limit readings, the delay asked for and x-should-retry. `now` is
  // the moment the answer is read, on the caller's clock. Never throws.
  AnswerReading read(const Attempt& attempt, util::TimePoint now) const;

protected:
  // What a provider finds in an error body.
  struct ErrorBody {
    std::optional<UpstreamError> error; // nullopt when the body is not of the provider's shape
    std::string code;                   // a finer error code, when the body has one
    limits::Limit limit = limits::Limit::rate;
    std::optional<util::TimePoint> limit_end;
    limits::KeyFault fault = limits::KeyFault::by_status; // when the type, not the status, decides
    std::optional<bool> should_retry; // when the error type says (before x-should-retry)
  };

private:
  // The parts of read() that differ by provider. They are private so that
  // the answer is judged in one call only (read), with the body parsed once.
  //
  // The error of a non-2xx answer (its body, and for some APIs its
  // headers), and whether it is a spend or billing limit.
  virtual ErrorBody read_error_body(long status, const Headers& headers,
                                    std::string_view body) const = 0;
  // How long an answer asks the caller to wait (0: it names no delay). Every
  // provider honours retry-after-ms and Retry-After (parse_retry_after); a
  // provider may read more for a 429.
  virtual util::Millis retry_after(long status, const Headers& headers,
                                   util::TimePoint now) const = 0;
  // The rate limits an answer reports in its headers (success or not), each
  // reset on our clock. Kinds are named with underscores ("input_tokens"),
  // as they are stored and shown.
  virtual std::vector<limits::LimitReading> rate_limits(const Headers& headers,
                                                        util::TimePoint now) const = 0;
};

// The names make_provider knows, in the order --help lists them.
const std::vector<std::string>& provider_names();
// The providers `bridge serve` and `bridge exec` put a pool behind (Bedrock
// is served by `ask` and `stream` alone).
const std::vector<std::string>& listener_provider_names();
// The provider called `name`; nullptr when there is none of that name.
// Throws util::Error (exit 78) when `settings` lack what it needs (Bedrock
// without a region).
std::unique_ptr<Provider> make_provider(std::string_view name,
                                        const ProviderSettings& settings = {});

} // namespace upstream
