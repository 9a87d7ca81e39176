// The half of `ask` and `stream` they share: options, the prompt, the walk
// over the pool, and the report of anything but success.
#include "send.hpp"

#include "mark_text.hpp"
#include "output.hpp"

#include "pool/walker.hpp"
#include "pool_state.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/interrupt.hpp"
#include "util/strings.hpp"
#include "util/time_format.hpp"

#include <algorithm>
#include <cmath>
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

namespace app {

using util::Error;
using util::ExitCode;

namespace {

// Validators with short messages in words: CLI11's own ranges print their
// bounds as doubles ("0.000000 to 1.000000", or 300 digits for
// PositiveNumber). CLI11 prefixes the option's name.
CLI::Validator number_check(const char* what, double low, double high, bool low_open) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        auto value = util::parse_decimal(util::trim(text));
        bool ok = value && (low_open ? *value > low : *value >= low) && *value <= high;
        return ok ? std::string() : fmt::format("'{}' is not {}", text, what);
      },
      "");
}

CLI::Validator whole_check(const char* what, long low, long high) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        std::string_view digits = util::trim(text);
        bool ok = !digits.empty() && digits.size() <= 12 &&
                  digits.find_first_not_of("0123456789") == std::string_view::npos;
        if (ok) {
          long value = std::stol(std::string(digits));
          ok = value >= low && value <= high;
        }
        return ok ? std::string() : fmt::format("'{}' is not {}", text, what);
      },
      "");
}

const CLI::Validator k_seconds = number_check("a number of seconds greater than 0 (such as 30 or 2.5)", 0, 1e9, true);

} // namespace

void add_send_options(CLI::App& sub, SendOptions& o) {
  sub.add_option("-m,--model", o.model, "Model [env: BRIDGE_MODEL]\n"
                 "[default: claude-sonnet-4-5; gpt-4o-mini with --provider openai]")
      ->type_name("MODEL");
  sub.add_option("-s,--system", o.system, "System prompt")->type_name("TEXT");
  sub.add_option("--max-tokens", o.max_tokens,
                 "Most tokens to generate [default: 4096 for anthropic, none for openai]")
      ->type_name("N")
      ->check(whole_check("a whole number from 1 to 100000000", 1, 100'000'000L));
  sub.add_option("-t,--temperature", o.temperature, "Sampling temperature, 0 to 1")
      ->type_name("T")
      ->check(number_check("a number from 0 to 1", 0, 1, false));
  sub.add_option("--stop", o.stop, "A stop sequence; repeat the option for several")
      ->type_name("SEQ")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  // --request excludes the options that build a body; that is checked when
  // the command runs (one clear message) rather than by CLI11's excludes(),
  // which also glues "Excludes: ..." onto the help text.
  sub.add_option("--request", o.request_file,
                 "Send this JSON body as it is ('-' for standard input) instead\n"
                 "of one built from the prompt; \"stream\" is set to match")
      ->type_name("FILE|-");
  sub.add_option("--retries", o.retries,
                 "Retries of 408/409/5xx/network failures on the same key\n"
                 "[default: 0 with a key file, 2 with a key from the environment]")
      ->type_name("N")
      ->check(whole_check("a whole number from 0 to 100", 0, 100));
  // `--wait`, `--wait 60` and `--wait=60` all work: prepare_arguments turns
  // the first two into --wait=300 and --wait=60 before CLI11 sees them.
  sub.add_option("--wait", o.wait,
                 "When every key is cooling, sleep until one is ready and walk again,\n"
                 "if that takes at most MAX seconds in all; MAX is the next word when\n"
                 "it is a number, or follows '=' [default MAX: 300]")
      ->type_name("[MAX]")
      ->check(number_check("a number of seconds (such as 60)", 0, 1e9, false));
  sub.add_option("--timeout", o.timeout, "Whole request, seconds [default: 600]")
      ->type_name("SECS")
      ->check(k_seconds);
  sub.add_option("--connect-timeout", o.connect_timeout, "Connection set-up, seconds [default: 10]")
      ->type_name("SECS")
      ->check(k_seconds);
  sub.add_option("--idle-timeout", o.idle_timeout, "No byte received, seconds [default: 120]")
      ->type_name("SECS")
      ->check(k_seconds);
  sub.add_flag("--no-stdin", o.no_stdin, "Never read standard input for the prompt");
  sub.add_option("PROMPT", o.words, "The prompt; '-' alone reads it from standard input")
      ->type_name("WORDS");
  sub.fallthrough();
  sub.footer(k_global_options_note);
}

namespace {

util::Millis seconds_to_ms(double seconds) {
  return util::Millis{static_cast<long long>(std::ceil(seconds * 1000.0))};
}

// Whether standard input is open at all: `bridge ask hi <&-` closes it, and a
// closed input is no input, not an error.
bool stdin_open() { return !stdin_closed(); }

std::string read_stdin_text(const char* what) {
  auto text = util::read_stdin(k_max_answer);
  if (util::interrupted()) {
    throw Error(static_cast<ExitCode>(util::interrupt_exit_code()), util::interrupt_message());
  }
  if (!text) {
    throw Error(ExitCode::usage, fmt::format("{}: {}", what, text.error()));
  }
  return *text;
}

// docs/contract.md (commands): the words, joined by spaces; with standard input that is not a
// terminal, the input text, a blank line, and the words.
std::string build_prompt(const SendOptions& options, bool quiet) {
  std::string words;
  for (const auto& word : options.words) {
    words += (words.empty() ? "" : " ") + word;
  }
  bool dash = std::find(options.words.begin(), options.words.end(), "-") != options.words.end();
  if (dash && options.words.size() > 1) {
    throw Error(ExitCode::usage,
                "'-' (the prompt is standard input) must be the only word; to ask about piped "
                "text, give the question as the words: ... | bridge ask 'question'");
  }
  if (dash && options.no_stdin) {
    throw Error(ExitCode::usage, "'-' reads the prompt from standard input, which --no-stdin forbids");
  }
  if (dash) {
    if (!stdin_open()) {
      throw Error(ExitCode::usage, "no prompt: standard input ('-') is closed");
    }
    if (::isatty(STDIN_FILENO) == 1 && !quiet) {
      Console{}.notice("reading the prompt from the terminal; end it with Ctrl-D");
    }
    std::string input = read_stdin_text("standard input");
    if (util::trim(input).empty()) {
      throw Error(ExitCode::usage, "no prompt: standard input ('-') was empty");
    }
    return input;
  }
  std::string input;
  if (!options.no_stdin && stdin_open() && ::isatty(STDIN_FILENO) != 1) {
    input = read_stdin_text("standard input");
    while (!input.empty() && (input.back() == '\n' || input.back() == '\r')) {
      input.pop_back();
    }
    if (util::trim(input).empty()) {
      input.clear();
    }
  }
  if (input.empty() && util::trim(words).empty()) {
    throw Error(ExitCode::usage,
                "no prompt: give it as words (bridge ask 'question'), or pipe text on standard input");
  }
  if (input.empty()) {
    return words;
  }
  return words.empty() ? input : input + "\n\n" + words;
}

std::string build_body(const SendOptions& options, bool stream, bool quiet,
                       const upstream::Provider& provider, const std::string& base_url) {
  if (options.request_file) {
    if (!options.words.empty()) {
      throw Error(ExitCode::usage, "--request sends a whole body: give no prompt words with it");
    }
    std::vector<std::string> given;
    if (options.model) given.emplace_back("--model");
    if (options.system) given.emplace_back("--system");
    if (options.max_tokens) given.emplace_back("--max-tokens");
    if (options.temperature) given.emplace_back("--temperature");
    if (!options.stop.empty()) given.emplace_back("--stop");
    if (!given.empty()) {
      throw Error(ExitCode::usage,
                  fmt::format("--request sends a whole body as it is: {} cannot be combined with "
                              "it (put {} in the JSON instead)",
                              fmt::join(given, ", "), given.size() == 1 ? "that" : "those"));
    }
    std::string text;
    if (*options.request_file == "-") {
      text = read_stdin_text("--request -");
    } else {
      auto content = util::read_small_file(*options.request_file, k_max_answer);
      if (!content) {
        throw Error(ExitCode::usage,
                    fmt::format("--request {}: {}", *options.request_file, content.error()));
      }
      text = std::move(content->data);
    }
    return upstream::adapt_request_body(text, stream, *options.request_file);
  }
  upstream::PromptRequest request;
  request.model = options.model ? *options.model
                                : env("BRIDGE_MODEL").value_or(provider.profile().default_model);
  request.prompt = build_prompt(options, quiet);
  request.system = options.system;
  request.max_tokens = options.max_tokens;
  request.temperature = options.temperature;
  request.stop = options.stop;
  request.stream = stream;
  return provider.build_body(request, base_url);
}

std::string describe_key(const keys::Key& key) { return fmt::format("{} ({})", key.label, key.hint); }

std::string describe_outcome(const pool::AttemptOutcome& outcome, const AttemptRecord& record) {
  switch (outcome.kind) {
  case pool::AttemptOutcome::Kind::network_failure:
    return "network failure: " + record.transfer.message;
  case pool::AttemptOutcome::Kind::broken_answer:
    return fmt::format("{}, then failed: {}", outcome.status, record.broken);
  case pool::AttemptOutcome::Kind::interrupted:
    return util::interrupt_message();
  case pool::AttemptOutcome::Kind::answered:
    break;
  }
  if (outcome.error_type.empty()) {
    return std::to_string(outcome.status);
  }
  return fmt::format("{} {}", outcome.status, outcome.error_type);
}

// -v: one line per attempt and per skipped key; waiting notices unless -q.
class Narrator final : public pool::WalkObserver {
public:
  Narrator(const Console& console, const AttemptRecord& record) : m_console(console), m_record(record) {}

  void skipped(const keys::Key& key, const pool::Block& block, util::TimePoint now) override {
    m_console.detail(fmt::format("key {}: skipped, {}", describe_key(key), describe_block(block, now)));
  }
  void attempted(const keys::Key& key, const pool::AttemptOutcome& outcome, pool::Verdict verdict) override {
    std::string what = describe_outcome(outcome, m_record);
    // A failover is told once its mark is made (marked()).
    if (verdict == pool::Verdict::success || verdict == pool::Verdict::report) {
      m_console.detail(fmt::format("key {}: {}", describe_key(key), what));
    } else {
      m_pending = fmt::format("key {}: {}", describe_key(key), what);
    }
  }
  void marked(const keys::Key& key, const pool::Scope& scope, const pool::KeyMark& mark) override {
    std::string head = m_pending.empty() ? fmt::format("key {}: {}", describe_key(key), mark.status)
                                         : std::move(m_pending);
    m_pending.clear();
    if (pool::is_disabled(mark)) {
      m_console.detail(head + ", disabled; trying the next key");
      return;
    }
    std::string span = util::format_delay(mark.until - mark.since);
    std::string which = scope.key_wide() ? std::string("every model") : scope.model();
    if (mark.status >= 200 && mark.status < 300) {
      // A proactive mark after a success (attempted() told the success).
      m_console.detail(fmt::format("key {}: {}, cooling for {} for {}", describe_key(key), mark.reason,
                                   span, which));
    } else {
      m_console.detail(fmt::format("{}{}, cooling for {} for {}; trying the next key", head,
                                   mark.reason == "spend_limit" || mark.reason == "billing"
                                       ? " (" + mark.reason + ")"
                                       : std::string(),
                                   span, which));
    }
  }
  void short_of_requests(const keys::Key& key, const std::string& model, util::Millis left) override {
    m_console.detail(fmt::format("key {}: skipped, no request left for {} for {} (estimated)",
                                 describe_key(key), model, util::format_delay(left)));
  }
  void retrying(const keys::Key& key, int retry, util::Millis delay) override {
    m_console.detail(fmt::format("key {}: retry {} in {} ms", describe_key(key), retry, delay.count()));
  }
  void waiting(util::Millis delay) override {
    m_console.notice(fmt::format("every key is cooling; waiting {} for the first to be ready",
                                 util::format_delay(delay)));
  }

private:
  const Console& m_console;
  const AttemptRecord& m_record;
  std::string m_pending;
};

// The outcome of an attempt as far as transport and status tell it; the
// provider reads the error body (its type, and whether it is a spend or
// billing limit) and the headers (the delay asked for, the rate limits).
pool::AttemptOutcome base_outcome(const AttemptRecord& record, const upstream::Provider& provider,
                                  util::TimePoint now) {
  using Error = upstream::TransferResult::Error;
  const auto& transfer = record.transfer;
  if (transfer.error == Error::interrupted || util::interrupted()) {
    pool::AttemptOutcome outcome;
    outcome.kind = pool::AttemptOutcome::Kind::interrupted;
    return outcome;
  }
  if (transfer.error != Error::none && transfer.error != Error::stopped &&
      (record.status == 0 || !transfer.received_bytes)) {
    return pool::AttemptOutcome::network(transfer.received_bytes);
  }
  auto outcome = pool::AttemptOutcome::answer(static_cast<int>(record.status));
  if (record.status < 200 || record.status >= 300) {
    auto hints = provider.error_hints(record.status, record.headers, record.error_body, now);
    outcome.error_type = std::move(hints.error.type);
    outcome.limit = hints.limit;
    outcome.limit_end = hints.limit_end;
  }
  outcome.limits = provider.rate_limits(record.headers, now);
  outcome.retry_after = provider.retry_after(record.status, record.headers, now);
  if (auto should = record.headers.get("x-should-retry")) {
    if (util::iequals(util::trim(*should), "true")) {
      outcome.should_retry = true;
    } else if (util::iequals(util::trim(*should), "false")) {
      outcome.should_retry = false;
    }
  }
  if (transfer.error != Error::none && transfer.error != Error::stopped) {
    // The answer began, then the connection failed.
    outcome.kind = pool::AttemptOutcome::Kind::network_failure;
    outcome.received_bytes = true;
  }
  return outcome;
}

// A short, printable excerpt of a body that is not the JSON we expected.
std::string excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 200)) {
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7F) ? ' ' : c;
  }
  out = std::string(util::trim(out));
  if (body.size() > 200) {
    out += "...";
  }
  return out;
}

class Reporter {
public:
  Reporter(const Console& console, bool machine, const upstream::Provider& provider)
      : m_console(console), m_machine(machine), m_provider(provider) {}

  int fail(ExitCode code, const std::string& type, const std::string& message,
           std::optional<long long> retry_after = {}) const {
    if (m_machine) {
      m_console.raw_line(upstream::error_json({type, message}, retry_after));
    } else {
      m_console.error(message);
    }
    return static_cast<int>(code);
  }

  int upstream_failure(const pool::AttemptOutcome& outcome, const AttemptRecord& record,
                       const std::string& base_url) const {
    std::string request_id;
    if (auto id = record.headers.get(m_provider.profile().request_id_header)) {
      request_id = fmt::format(" (request-id {})", *id);
    }
    switch (outcome.kind) {
    case pool::AttemptOutcome::Kind::interrupted:
      return fail(static_cast<ExitCode>(util::interrupt_exit_code()), "api_error",
                  util::interrupt_message());
    case pool::AttemptOutcome::Kind::broken_answer:
      if (record.stream_error) {
        // Raw mode relayed the event already; text mode says it after the text.
        if (!m_machine) {
          m_console.error(fmt::format("stream error: {}: {}{}", record.stream_error->type,
                                      record.stream_error->message, request_id));
        }
        return static_cast<int>(ExitCode::upstream_error);
      }
      return fail(ExitCode::upstream_error, "api_error", record.broken + request_id);
    case pool::AttemptOutcome::Kind::network_failure: {
      bool unreachable = !outcome.received_bytes;
      std::string message =
          unreachable ? fmt::format("cannot reach {}: {}", base_url, record.transfer.message)
                      : fmt::format("the connection to {} failed mid-answer: {}", base_url,
                                    record.transfer.message);
      return fail(unreachable ? ExitCode::unavailable : ExitCode::upstream_error,
                  record.transfer.error == upstream::TransferResult::Error::timeout ||
                          record.transfer.error == upstream::TransferResult::Error::idle
                      ? "timeout_error"
                      : "api_connection_error",
                  message);
    }
    case pool::AttemptOutcome::Kind::answered:
      break;
    }
    auto parsed = m_provider.parse_error(record.error_body);
    if (m_machine) {
      upstream::UpstreamError error = parsed ? *parsed
                                             : upstream::UpstreamError{
                                                   upstream::error_type_for_status(record.status),
                                                   fmt::format("HTTP {}: {}", record.status,
                                                               excerpt(record.error_body))};
      m_console.raw_line(upstream::error_json(error));
    } else if (parsed) {
      m_console.error(fmt::format("upstream error {} {}: {}{}", record.status, parsed->type,
                                  parsed->message, request_id));
    } else {
      m_console.error(fmt::format("upstream error {} (body is not an API error): {}{}", record.status,
                                  excerpt(record.error_body), request_id));
    }
    return static_cast<int>(ExitCode::upstream_error);
  }

private:
  const Console& m_console;
  bool m_machine;
  const upstream::Provider& m_provider;
};

std::optional<util::Millis> wait_limit(const SendOptions& options) {
  if (!options.wait) {
    return std::nullopt;
  }
  auto seconds = util::parse_decimal(util::trim(*options.wait));
  if (!seconds || *seconds < 0) {
    throw Error(ExitCode::usage, fmt::format("--wait={}: expected a number of seconds", *options.wait));
  }
  return seconds_to_ms(*seconds);
}

} // namespace

int run_send(const GlobalOptions& global, const SendOptions& options, bool stream, Exchange& exchange) {
  Console console = global.console();
  auto wait_max = wait_limit(options);
  const auto provider = resolve_provider(global);
  exchange.use(*provider);
  std::string base_url = upstream::checked_base_url(resolve_base_url(global));
  std::string body = build_body(options, stream, global.quiet, *provider, base_url);
  KeySource source = resolve_keys(global, console);
  bool byok = source.mode == KeySource::Mode::byok;

  util::SystemClock clock;
  pool::MemoryMarkStore memory_store;
  std::optional<PoolState> pool_state;
  if (!byok) {
    pool_state.emplace(global, source.keys, clock, console);
  }
  pool::PoolStore& store = byok ? static_cast<pool::PoolStore&>(memory_store) : pool_state->store();

  pool::WalkOptions walk_options;
  walk_options.model = upstream::request_model(body);
  walk_options.retries = options.retries ? *options.retries : (byok ? 2 : 0);
  walk_options.wait_max = wait_max;
  pool::Walker walker(source.keys, store, clock, walk_options);

  upstream::TransportOptions transport_options;
  transport_options.connect_timeout = seconds_to_ms(options.connect_timeout);
  transport_options.total_timeout = seconds_to_ms(options.timeout);
  transport_options.idle_timeout = seconds_to_ms(options.idle_timeout);
  transport_options.idle_before_first_byte = stream;
  upstream::Transport transport(transport_options);

  AttemptRecord record;
  auto attempt = [&](const keys::Key& key) {
    record = AttemptRecord{};
    record.key = &key;
    exchange.begin(record);
    upstream::HttpRequest request = provider->request(base_url, key.secret, body, stream);
    record.transfer = transport.post(request.url, request.headers, request.body, exchange);
    exchange.ended(record); // base_outcome() reads the error body
    pool::AttemptOutcome base = base_outcome(record, *provider, clock.now());
    return exchange.finish(record, base);
  };

  Narrator narrator(console, record);
  pool::WalkResult result = walker.walk(attempt, &narrator);
  console.detail(fmt::format("{} attempt{} over {} connection{}", result.attempts,
                             result.attempts == 1 ? "" : "s", transport.connections_opened(),
                             transport.connections_opened() == 1 ? "" : "s"));
  Reporter report(console, options.machine_output, *provider);
  const std::string& key_env = provider->profile().key_env;
  std::size_t total = source.keys.size();
  switch (result.kind) {
  case pool::WalkResult::Kind::success:
    console.detail(fmt::format("answer served by key {}", describe_key(*result.key)));
    exchange.succeed(record);
    return 0;
  case pool::WalkResult::Kind::interrupted:
    return report.fail(static_cast<ExitCode>(util::interrupt_exit_code()), "api_error",
                       util::interrupt_message());
  case pool::WalkResult::Kind::failed:
    return report.upstream_failure(result.outcome, record, base_url);
  case pool::WalkResult::Kind::transient: {
    long long seconds = (result.retry_after.count() + 999) / 1000; // rounded up
    std::string when = util::format_delay(result.retry_after);
    std::string message =
        byok ? fmt::format("the key in {} is rate-limited (retry after {})", key_env, when)
        : result.disabled == 0
            ? (total == 1 ? fmt::format("the only configured key is rate-limited (retry after {})", when)
                          : fmt::format("all {} configured keys are rate-limited (retry after {})",
                                        total, when))
            : fmt::format("no usable key: {} rate-limited, {} disabled, of {} configured (retry after {})",
                          result.cooling, result.disabled, total, when);
    if (wait_max && result.retry_after > util::Millis{0}) {
      // --wait was given but could not cover the soonest key: say so, or the
      // user wonders why it did not wait.
      message += fmt::format("; --wait={} is too short for that", util::trim(*options.wait));
    }
    return report.fail(ExitCode::temp_fail, "rate_limit_error", message, seconds);
  }
  case pool::WalkResult::Kind::permanent: {
    std::string last = result.outcome.error_type.empty()
                           ? std::string()
                           : fmt::format(" (last answer: {} {})", result.outcome.status,
                                         result.outcome.error_type);
    std::string message =
        byok ? fmt::format("the key in {} was refused{}", key_env, last)
             : fmt::format("{} disabled{}; fix {} and run 'bridge keys reset'",
                           total == 1 ? std::string("the only configured key is")
                                      : fmt::format("all {} configured keys are", total),
                           last, source.key_file);
    return report.fail(ExitCode::no_permission, "api_error", message);
  }
  }
  return 1;
}

} // namespace app
