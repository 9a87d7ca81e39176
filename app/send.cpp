// The walk of `ask` and `stream`: one attempt per key tried, each read by
// the provider, and the report of how it ended.
#include "send.hpp"

#include "affinity_id.hpp"
#include "answer_outcome.hpp"
#include "invocation.hpp"
#include "narrator.hpp"
#include "pool_state.hpp"
#include "report.hpp"
#include "request_body.hpp"
#include "upstream_text.hpp"

#include "pool/walker.hpp"
#include "upstream/curl_transport.hpp"
#include "upstream/messages.hpp"

#include <fmt/format.h>

namespace app {

pool::WalkResult walk_pool(const SendWorld& world, const pool::WalkOptions& options,
                           const util::Redactor& redactor, Exchange& exchange,
                           const RequestMaker& make_request, AttemptRecord& record,
                           pool::WalkObserver* observer) {
  pool::Walker walker(world.source.keys, world.store, world.clock, options);
  auto attempt = [&](const keys::Key& key) {
    record = AttemptRecord{};
    record.key = &key;
    exchange.begin(record);
    upstream::HttpRequest request = make_request(key);
    record.attempt.transfer =
        world.transport.send(request.method, request.url, request.headers, request.body, exchange,
                             request.signing ? &*request.signing : nullptr);
    exchange.ended(record); // keeps the error body for the reading
    record.reading = read_answer(world.provider, record.attempt, redactor, world.clock.now());
    return exchange.finish(record, outcome_of(record.reading));
  };
  return walker.walk(attempt, observer);
}

int send_body(const SendWorld& world, const SendOptions& options, const std::string& body,
              bool stream, Exchange& exchange) {
  const upstream::Provider& provider = world.provider;
  const Console& console = world.console;
  // Every key of the invocation, to be replaced in what the upstream says.
  util::Redactor redactor = key_redactor(world.source);
  exchange.use(provider, redactor);

  pool::WalkOptions walk_options;
  walk_options.model = upstream::request_model(body);
  walk_options.retries = options.retries ? *options.retries : k_default_retries;
  walk_options.wait_max = wait_limit(options);
  walk_options.jitter = world.jitter;
  if (world.affinities) {
    walk_options.affinity = affinity_id(options.session, body);
    walk_options.affinity_store = world.affinities;
  }

  AttemptRecord record;
  auto make_request = [&](const keys::Key& key) {
    return provider.request(world.base_url, key.secret, body, stream);
  };
  Narrator narrator(console, record, world.source);
  pool::WalkResult result =
      walk_pool(world, walk_options, redactor, exchange, make_request, record, &narrator);
  long connections = world.transport.connections_opened();
  console.detail(fmt::format("{} attempt{} over {} connection{}", result.attempts,
                             result.attempts == 1 ? "" : "s", connections,
                             connections == 1 ? "" : "s"));
  if (result.kind == pool::WalkResult::Kind::success) {
    console.detail(fmt::format("answer served by key {}", describe_key(*result.key)));
    exchange.succeed(record);
    return 0;
  }
  Reporter report(console, options.machine_output, provider, world.base_url);
  if (world.shared_marks) {
    report.marks_from(world.shared_marks());
  }
  return report.walk_failed(result, record, world.source, options.wait);
}

int run_send(const GlobalOptions& global, const SendOptions& options, bool stream,
             Exchange& exchange) {
  // The order of the checks decides which error a user with several sees
  // first: --wait, the provider, the base URL, the body, then the keys.
  Console console = global.console();
  wait_limit(options);
  Invocation invocation(global, console);
  const upstream::Provider& provider = invocation.provider();
  const std::string& base_url = invocation.base_url();
  std::string body = build_body(options, stream, console, provider, base_url);
  const KeySource& source = invocation.keys();
  bool byok = source.mode == KeySource::Mode::byok;

  util::SystemClock clock;
  // A lone key from the environment is remembered nowhere: its marks live
  // as long as this process.
  pool::MemoryMarkStore memory_store;
  pool::MemoryAffinityStore memory_affinities;
  std::optional<PoolState> pool_state;
  if (!byok) {
    pool_state.emplace(global, source.keys, clock, console);
  }
  pool::PoolStore& store = byok ? static_cast<pool::PoolStore&>(memory_store) : pool_state->store();

  upstream::TransportOptions transport_options;
  transport_options.connect_timeout = seconds_to_ms(options.connect_timeout);
  transport_options.total_timeout = seconds_to_ms(options.timeout);
  transport_options.idle_timeout = seconds_to_ms(options.idle_timeout);
  transport_options.idle_before_first_byte = stream;
  upstream::CurlTransport transport(transport_options);

  SendWorld world{provider, base_url, source, store, clock, transport, console, {}};
  if (pool_state) {
    world.shared_marks = [&pool_state] { return pool_state->shared_marks(); };
  }
  world.affinities = pool_state ? &pool_state->affinities()
                                : static_cast<pool::AffinityStore*>(&memory_affinities);
  return send_body(world, options, body, stream, exchange);
}

} // namespace app
