#pragma once

// One client request of the listener (`bridge exec`, `bridge serve`) sent
// through the pool: the same walk, provider reading and transport as `ask`
// and `stream` (send.hpp, walk_pool), with the answer relayed to a sink
// instead of printed. Key-specific answers fail over before the client has
// seen a byte; a success is relayed as it arrives; any other answer is
// relayed as received; an exhausted pool gets the listener's own answer
// in the provider's error shape.

#include "listener_http.hpp"
#include "send.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace app {

// Where an answer goes: start() once with the status and headers, then
// chunk() for each piece of the body as it arrives, then end(). chunk()
// returns false when the client has gone, which stops the upstream
// transfer. A sink may block in chunk() while the client is slow: that is
// how a slow client slows the upstream read.
class ReplySink {
public:
  virtual ~ReplySink() = default;
  virtual void start(long status, const HeaderList& headers) = 0;
  virtual bool chunk(std::string_view bytes) = 0;
  // The answer is over. `complete` false: the upstream's answer broke off
  // after it began, and the client must see it broken (its connection is
  // closed without the end of the chunked body), not a shorter answer.
  virtual void end(bool complete = true) = 0;
  // A whole answer at once: start, the body as one chunk, end. A sink that
  // hands each step to another thread hands this over as one.
  virtual void whole(long status, const HeaderList& headers, std::string_view body) {
    start(status, headers);
    if (!body.empty()) {
      chunk(body);
    }
    end();
  }
};

// What a client asked for, as the HTTP server parsed it, with the
// provider's prefix taken off its path.
struct ForwardRequest {
  std::string method;
  std::string path; // after the provider's listen_prefix, query included
  HeaderList headers;
  std::string body;
};

constexpr std::size_t k_max_held_success = 64 * 1024;

struct ForwardOptions {
  int retries = 0;                      // the listener does not retry by default
  std::optional<util::Millis> wait_max; // --wait
};

// What the listener tells about one request (-v): the model, the key that
// answered (when one did) and the status the client got.
struct ForwardSummary {
  std::string model;
  const keys::Key* key = nullptr;
  long status = 0;
};

// Sends `request` through the pool of `world` and writes the answer to
// `sink` (start, chunks, end: always, exactly once each of start and end;
// or whole() once). A success is relayed as it arrives, except a blocking
// answer (not an event stream) whose Content-Length is at most
// k_max_held_success: it is kept until complete and goes to the sink whole,
// one hand-over instead of three.
// A request a prompt cache serves (prompt_path) prefers the key of its
// affinity in `world.affinities`, when there are any: the client's session
// header (client_session), else the conversation its body names, else its
// prompt's prefix (affinity_id); -v says when that key is chosen.
// Never throws for anything the upstream or the client does.
ForwardSummary forward(const SendWorld& world, const ForwardOptions& options,
                       const ForwardRequest& request, ReplySink& sink);

// An answer made by the listener itself: `status` with a body of the
// provider's error shape, and `extra` headers.
void reply_error(ReplySink& sink, const upstream::Provider& provider, long status,
                 std::string_view type, std::string_view message, HeaderList extra = {});

} // namespace app
