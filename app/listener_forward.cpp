// The listener's half of a send: an Exchange that relays a success as it
// arrives and keeps any other answer until the walk has judged it.
#include "listener_forward.hpp"

#include "affinity_id.hpp"
#include "key_labels.hpp"
#include "narrator.hpp"
#include "upstream_text.hpp"

#include "upstream/messages.hpp"
#include "util/strings.hpp"
#include "util/time_format.hpp"

#include <fmt/format.h>

namespace app {

namespace {

// An error answer is kept whole until the walk decides whether it fails
// over or goes to the client; past this size the rest is not read.
constexpr std::size_t k_max_kept_error = 1024 * 1024;

bool success(long status) { return status >= 200 && status < 300; }

// The length a success declares, when it is small enough to keep whole and
// the answer is not an event stream (which goes out event by event).
std::optional<std::size_t> held_length(const upstream::Headers& headers) {
  auto type = headers.get("content-type");
  auto length = headers.get("content-length");
  if (!length || length->empty() || length->size() > 9 ||
      length->find_first_not_of("0123456789") != std::string_view::npos ||
      (type && util::starts_with_ci(*type, "text/event-stream"))) {
    return std::nullopt;
  }
  std::size_t value = std::stoul(std::string(*length));
  return value <= k_max_held_success ? std::optional<std::size_t>(value) : std::nullopt;
}

class ListenerExchange final : public Exchange {
public:
  explicit ListenerExchange(ReplySink& sink) : m_sink(sink) {}

  void begin(AttemptRecord& record) override {
    m_record = &record;
    m_kept.clear();
    m_relaying = false;
  }
  void head(long status, const upstream::Headers& headers) override {
    m_record->attempt.status = status;
    m_record->attempt.headers = headers;
    if (success(status)) {
      // A 2xx is the walk's success whatever follows: it goes to the
      // client now, byte for byte as it arrives; a small blocking answer
      // once it is complete (held_length).
      m_relayed = relayed_headers(headers);
      m_relayed.emplace_back("bridge-key", m_record->key->label);
      m_held = held_length(headers);
      if (!m_held) {
        m_sink.start(status, m_relayed);
      }
      m_relaying = true;
      m_started = true;
    }
  }
  bool body(std::string_view chunk) override {
    if (m_relaying && m_held) {
      m_kept.append(chunk);
      if (m_kept.size() == *m_held) {
        m_sink.whole(m_record->attempt.status, m_relayed, m_kept);
        m_held.reset();
        m_sent_whole = true;
      } else if (m_kept.size() > *m_held) {
        release(); // longer than it said: relayed as it comes from now on
      }
      return true;
    }
    if (m_relaying) {
      return m_sink.chunk(chunk);
    }
    std::size_t room = k_max_kept_error - std::min(k_max_kept_error, m_kept.size());
    m_kept.append(chunk.substr(0, room));
    return chunk.size() <= room;
  }
  void ended(AttemptRecord& record) override {
    if (!success(record.attempt.status)) {
      record.attempt.error_body = m_kept;
    }
  }
  pool::AttemptOutcome finish(AttemptRecord&, pool::AttemptOutcome base) override {
    if (m_relaying && base.kind != pool::AttemptOutcome::Kind::answered) {
      // The client has its answer's head already: whatever happened next
      // (a drop, a stall, the client gone) ends the walk with it.
      base.kind = pool::AttemptOutcome::Kind::broken_answer;
    }
    return base;
  }
  void succeed(AttemptRecord&) override {}

  bool started() const { return m_started; }
  // Ends the relayed success (what is still held goes first), unless it
  // went to the sink whole.
  void end(bool complete) {
    if (m_sent_whole) {
      return;
    }
    release();
    m_sink.end(complete);
  }

private:
  // What a held success has so far goes out as a relayed one.
  void release() {
    if (!m_held) {
      return;
    }
    m_held.reset();
    m_sink.start(m_record->attempt.status, m_relayed);
    if (!m_kept.empty()) {
      m_sink.chunk(m_kept);
    }
    m_kept.clear();
  }

  ReplySink& m_sink;
  AttemptRecord* m_record = nullptr;
  std::string m_kept; // an error answer, or a success held until complete
  HeaderList m_relayed;
  std::optional<std::size_t> m_held; // the length of a success held
  bool m_relaying = false;
  bool m_started = false;
  bool m_sent_whole = false;
};

// -v in the listener is one line per request (Listener::log), not the
// narration of each attempt; of the walk it tells only that a key was
// chosen for affinity, in the words of `ask`.
class AffinityTeller final : public pool::WalkObserver {
public:
  explicit AffinityTeller(Narrator& narrator) : m_narrator(narrator) {}
  void preferred(const keys::Key& key) override { m_narrator.preferred(key); }

private:
  Narrator& m_narrator;
};

} // namespace

void reply_error(ReplySink& sink, const upstream::Provider& provider, long status,
                 std::string_view type, std::string_view message, HeaderList extra) {
  extra.emplace_back("content-type", "application/json");
  sink.start(status, extra);
  sink.chunk(provider.error_body(type, message));
  sink.end();
}

ForwardSummary forward(const SendWorld& world, const ForwardOptions& options,
                       const ForwardRequest& request, ReplySink& sink) {
  const upstream::Provider& provider = world.provider;
  util::Redactor redactor = key_redactor(world.source);
  ListenerExchange exchange(sink);
  exchange.use(provider, redactor);

  ForwardSummary summary;
  summary.model = upstream::request_model(request.body);
  pool::WalkOptions walk_options;
  walk_options.model = summary.model;
  walk_options.retries = options.retries;
  walk_options.wait_max = options.wait_max;
  walk_options.jitter = world.jitter;
  if (world.affinities && prompt_path(request.path)) {
    walk_options.affinity =
        affinity_id(client_session(request.headers), request.body, BodyNames::read);
    walk_options.affinity_store = world.affinities;
  }

  std::vector<std::string> headers = forwarded_headers(request.headers);
  auto make_request = [&](const keys::Key& key) {
    return provider.forward(world.base_url, key.secret, request.method, request.path, headers,
                            request.body);
  };
  AttemptRecord record;
  Narrator narrator(world.console, record, world.source);
  AffinityTeller teller(narrator);
  pool::WalkResult result =
      walk_pool(world, walk_options, redactor, exchange, make_request, record, &teller);
  summary.key = result.key;

  if (exchange.started()) {
    // A success, or an answer cut off after its head went out.
    summary.status = record.attempt.status;
    auto error = record.attempt.transfer.error;
    using Error = upstream::TransferResult::Error;
    exchange.end(error == Error::none || error == Error::stopped);
    return summary;
  }
  using Kind = pool::WalkResult::Kind;
  if (result.kind == Kind::transient) {
    long long ms = result.retry_after.count();
    long long seconds = (ms + 999) / 1000;
    summary.status = 429;
    summary.key = nullptr;
    reply_error(sink, provider, 429, "rate_limit_error",
                fmt::format("every key of the pool is cooling (bridge); the soonest is ready in {}",
                            util::format_delay(result.retry_after)),
                {{"retry-after", std::to_string(seconds)}, {"retry-after-ms", std::to_string(ms)}});
    return summary;
  }
  if (result.kind == Kind::permanent) {
    summary.status = 401;
    summary.key = nullptr;
    reply_error(sink, provider, 401, "authentication_error",
                "every key of the pool is disabled (bridge); `bridge keys check` re-validates "
                "them once they are fixed");
    return summary;
  }
  if (result.kind == Kind::interrupted) {
    summary.status = 503;
    reply_error(sink, provider, 503, "api_error", "bridge is stopping");
    return summary;
  }
  if (record.attempt.status >= 100) {
    // An answer that is not the key's fault, relayed as received (the keys
    // replaced by their hints wherever it quoted one).
    summary.status = record.attempt.status;
    HeaderList relayed = relayed_headers(record.attempt.headers);
    if (record.key != nullptr) {
      relayed.emplace_back("bridge-key", record.key->label);
    }
    sink.start(record.attempt.status, relayed);
    sink.chunk(record.attempt.error_body);
    sink.end();
    return summary;
  }
  summary.status = 502;
  reply_error(sink, provider, 502, "api_error",
              fmt::format("bridge could not reach the upstream: {}",
                          redactor.apply(record.attempt.transfer.message)));
  return summary;
}

} // namespace app
