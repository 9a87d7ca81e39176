#pragma once

#include "limits/limit.hpp"
#include "upstream/headers.hpp"
#include "upstream/messages.hpp"
#include "util/clock.hpp"

#include <optional>
#include <string>
#include <vector>

namespace upstream {

// How a transfer ended, as the transport (or a probe) saw it. The libcurl
// codes are mapped in one place (curl_policy.cpp); nothing above upstream
// sees a CURLcode.
struct TransferResult {
  enum class Error {
    none,
    resolve,     // DNS
    connect,     // refused, unreachable, connect timeout
    tls,         // handshake or certificate
    timeout,     // whole-request timeout
    idle,        // no byte within the idle timeout
    dropped,     // connection reset or closed mid-response
    stopped,     // the handler returned false
    interrupted, // SIGINT
    other,
  };
  Error error = Error::none;
  std::string message; // curl's description; never holds a key
  long status = 0;
  bool received_bytes = false;
};

// What came back from one upstream attempt: everything Provider::read needs
// to judge it, and nothing of the key that was used. Both the transport of
// `ask` and `stream` and the probes of `keys check` produce one.
struct Attempt {
  long status = 0; // 0 when no status line arrived
  Headers headers;
  std::string error_body;  // the body of a non-2xx answer, capped by whoever read it
  TransferResult transfer; // how the transfer ended

  // Whether no answer arrived because the upstream could not be reached at
  // all (DNS, connection, TLS, a timeout or a drop before the status), as
  // opposed to a request refused before it was sent or an interrupt.
  bool unreachable() const;
};

// What one attempt means, read by the provider that knows the answer's shape
// (Provider::read). It holds everything the walk and the reports need, so
// that nobody outside upstream reads a status, a header or an error body
// again.
struct AnswerReading {
  enum class Kind {
    answered,    // a status arrived and the transfer ended cleanly (or was stopped by its handler)
    no_answer,   // the transfer failed before a status arrived (`received_bytes` says whether
                 // any byte did)
    cut_off,     // a status arrived, then the connection failed mid-answer
    interrupted, // SIGINT during the attempt
  };
  Kind kind = Kind::answered;
  long status = 0;
  bool received_bytes = false;
  // The error body, when it has the provider's error shape (type and
  // message, for reports); nullopt for a 2xx, an HTML page from a proxy,
  // truncated JSON.
  std::optional<UpstreamError> error;
  // For a non-2xx answer: the upstream's error type, or one named after the
  // status when the body names none (error_type_for_status). Empty for 2xx.
  std::string error_type;
  std::string error_code; // a finer error code, when the body has one
  // A rate limit (the default), or a spend or billing limit of the whole key,
  // which cools it for every model and for long; the walk acts on it without
  // knowing the codes or messages that told it.
  limits::Limit limit = limits::Limit::rate;
  std::optional<util::TimePoint> limit_end; // when the answer names the end of a spend limit
  // Set by a provider that judges by the error type rather than the status
  // (Bedrock): whether the key is at fault, whatever the status says.
  limits::KeyFault fault = limits::KeyFault::by_status;
  std::vector<limits::LimitReading>
      limits;                       // the rate limits the headers report, resets on our clock
  util::Millis retry_after{0};      // the delay the answer asks for (0: none)
  std::optional<bool> should_retry; // x-should-retry, when sent as true or false
};

} // namespace upstream
