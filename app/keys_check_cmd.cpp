// bridge keys check: probe each key once, cheaply and all at once, and record
// what the answers say (a key that works again loses its disabled mark).
#include "answer_outcome.hpp"
#include "command.hpp"
#include "invocation.hpp"
#include "key_labels.hpp"
#include "output.hpp"
#include "pool/outcome.hpp"
#include "pool_state.hpp"
#include "upstream/messages.hpp"
#include "upstream/probe.hpp"
#include "upstream/provider.hpp"
#include "upstream_text.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/printable.hpp"
#include "util/time_format.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace app {

namespace {

struct CheckOptions {
  bool json = false;
  std::vector<std::string> labels;
};

struct CheckRow {
  const keys::Key* key = nullptr;
  std::string result; // ok, refused, rate_limited, error
  long status = 0;
  std::string message;
  std::string detail; // the table's last column
  bool unreachable = false;
};

std::vector<const keys::Key*> chosen_keys(const KeySource& source, const CheckOptions& options,
                                          const upstream::Provider& provider) {
  if (!options.labels.empty()) {
    return keys_by_label(source, options.labels, provider.profile());
  }
  std::vector<const keys::Key*> chosen;
  for (const auto& key : source.keys) {
    chosen.push_back(&key);
  }
  return chosen;
}

// Says what one probe's answer means for the key. The answer is judged as a
// walk judges it (Provider::read, then pool::classify): a success only when
// the answer completed, refused where a walk would disable the key, rate
// limited where it would cool it (a spend or billing limit included), and an
// error otherwise.
CheckRow judge(const keys::Key& key, const upstream::Attempt& probe,
               const upstream::AnswerReading& reading, pool::Verdict verdict,
               const std::string& base_url) {
  CheckRow row;
  row.key = &key;
  row.status = probe.status;
  if (probe.status == 0) {
    row.result = "error";
    row.unreachable = probe.unreachable();
    row.message = reading.kind == upstream::AnswerReading::Kind::interrupted
                      ? "interrupted"
                      : fmt::format("cannot reach {}: {}", base_url, probe.transfer.message);
    row.detail = row.message;
    return row;
  }
  if (reading.kind != upstream::AnswerReading::Kind::answered) {
    // A status arrived, then the transfer failed: the key proved nothing.
    row.result = "error";
    row.message = fmt::format("the answer was cut off: {}", probe.transfer.message);
    row.detail = fmt::format("{}, then failed: {}", probe.status, probe.transfer.message);
    return row;
  }
  const std::string& type = reading.error_type;
  row.message = reading.error ? reading.error->message : std::string();
  switch (verdict) {
  case pool::Verdict::success:
    row.result = "ok";
    row.message.clear();
    row.detail = fmt::format("{} key works", probe.status);
    return row;
  case pool::Verdict::disable:
    row.result = "refused";
    row.detail = fmt::format("{} {}, disabled", probe.status, type);
    break;
  case pool::Verdict::cool:
    row.result = "rate_limited";
    row.detail = fmt::format("{} {}", probe.status, type);
    break;
  case pool::Verdict::report:
    row.result = "error";
    row.detail = fmt::format("{} {}", probe.status, type);
    break;
  }
  if (!row.message.empty()) {
    row.detail += ": " + row.message;
  }
  return row;
}

std::string check_json(const std::vector<CheckRow>& rows) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& row : rows) {
    nlohmann::ordered_json item;
    item["label"] = row.key->label;
    item["hint"] = row.key->hint;
    item["result"] = row.result;
    item["status"] = row.status;
    item["message"] = row.message;
    out.push_back(std::move(item));
  }
  // Messages come from upstream: C1 controls written as \u00XX (keys status
  // --json does the same).
  return util::json_without_c1(
             out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)) +
         "\n";
}

std::string check_table(const std::vector<CheckRow>& rows) {
  // Labels and hints from the key file, details from upstream: every field
  // through util::printable (C0, DEL, C1 and invalid bytes escaped), so an
  // upstream message can neither drive the terminal nor forge a line.
  struct Shown {
    std::string label, hint, detail;
  };
  std::vector<Shown> shown;
  std::size_t label_width = 5;
  std::size_t hint_width = 4;
  for (const auto& row : rows) {
    shown.push_back({util::printable(row.key->label), util::printable(row.key->hint),
                     util::printable(row.detail)});
    label_width = std::max(label_width, shown.back().label.size());
    hint_width = std::max(hint_width, shown.back().hint.size());
  }
  std::string out = fmt::format("{:<{}}{:<{}}{:<14}DETAIL\n", "LABEL", label_width + 2, "HINT",
                                hint_width + 2, "RESULT");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string line = fmt::format("{:<{}}{:<{}}{:<14}{}", shown[i].label, label_width + 2,
                                   shown[i].hint, hint_width + 2, rows[i].result, shown[i].detail);
    while (!line.empty() && line.back() == ' ') {
      line.pop_back();
    }
    out += line + "\n";
  }
  return out;
}

int run_check(const GlobalOptions& global, const CheckOptions& options) {
  Console console = global.console();
  Invocation invocation(global, console);
  const upstream::Provider& provider = invocation.provider();
  const std::string& base_url = invocation.base_url();
  const KeySource& source = invocation.keys();
  auto chosen = chosen_keys(source, options, provider);

  // The provider's cheap request (a model list); only the key differs.
  std::string url;
  std::vector<std::vector<std::string>> requests;
  requests.reserve(chosen.size());
  for (const auto* key : chosen) {
    upstream::HttpRequest probe = provider.probe(base_url, key->secret);
    url = std::move(probe.url);
    requests.push_back(std::move(probe.headers));
  }
  auto started = std::chrono::steady_clock::now();
  auto probes = upstream::probe_all(url, requests, {});
  auto took = std::chrono::duration_cast<util::Millis>(std::chrono::steady_clock::now() - started);
  console.detail(fmt::format("probed {} key{} in {} ms", chosen.size(),
                             chosen.size() == 1 ? "" : "s", took.count()));
  if (std::any_of(probes.begin(), probes.end(), [](const upstream::Attempt& p) {
        return p.transfer.error == upstream::TransferResult::Error::interrupted;
      })) {
    throw util::Error(util::ExitCode::interrupted, "interrupted");
  }

  util::SystemClock clock;
  // The results go to whichever store --state names: the state file, or
  // Redis (with the local state file behind it, as for a request).
  std::optional<PoolState> state;
  if (source.mode == KeySource::Mode::pool) {
    state.emplace(global, source.keys, clock, console);
    state->store().check_writable(); // refuses a newer state file before anything is changed
  }
  pool::MarkStore* store = state ? &state->store() : nullptr;
  std::vector<CheckRow> rows;
  std::vector<std::string> working;
  util::Redactor redactor = key_redactor(source); // an upstream may quote the key it was sent
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    auto now = clock.now();
    upstream::AnswerReading reading = read_answer(provider, probes[i], redactor, now);
    pool::AttemptOutcome outcome = outcome_of(reading);
    pool::Verdict verdict = pool::classify(outcome);
    CheckRow row = judge(*chosen[i], probes[i], reading, verdict, base_url);
    if (store && (verdict == pool::Verdict::disable || verdict == pool::Verdict::cool)) {
      // The walk's penalty (a spend limit rests the key for every model).
      auto penalty = pool::penalty_for(outcome, verdict, "", now, pool::k_default_cooldown);
      store->record(*chosen[i], penalty.scope, penalty.mark);
      if (verdict == pool::Verdict::cool) {
        row.detail += fmt::format(", cooling for {}",
                                  util::format_delay(penalty.mark.until - penalty.mark.since));
      }
    }
    if (row.result == "ok") {
      working.push_back(chosen[i]->fingerprint);
    }
    rows.push_back(std::move(row));
  }
  // A shared store that cannot be changed throws (docs/redis.md, "Faults":
  // exit 69): the probes' results are shown first all the same.
  std::optional<util::Error> unchanged;
  if (store && !working.empty()) {
    try {
      auto cleared = store->clear_disabled(working);
      if (cleared > 0) {
        console.notice(fmt::format("cleared {} disabled mark{}", cleared, cleared == 1 ? "" : "s"));
      }
    } catch (const util::Error& error) {
      unchanged = error;
    }
  }
  write_stdout(options.json ? check_json(rows) : check_table(rows));
  if (unchanged) {
    throw *unchanged;
  }

  auto count = [&](auto predicate) { return std::count_if(rows.begin(), rows.end(), predicate); };
  if (count([](const CheckRow& r) { return r.result == "ok"; }) > 0) {
    return 0;
  }
  if (count([](const CheckRow& r) { return r.result == "refused"; }) ==
      static_cast<long>(rows.size())) {
    return static_cast<int>(util::ExitCode::no_permission);
  }
  if (count([](const CheckRow& r) { return r.unreachable; }) > 0) {
    return static_cast<int>(util::ExitCode::unavailable);
  }
  return static_cast<int>(util::ExitCode::upstream_error);
}

} // namespace

void add_keys_check_command(CLI::App& keys, GlobalOptions& global, Command& command) {
  auto options = std::make_shared<CheckOptions>();
  auto* check = keys.add_subcommand(
      "check", "Probe each key once (GET /v1/models, no tokens spent), all at once, and\n"
               "record what it says: a working key loses its disabled mark (exit 0 when a\n"
               "key works, 77 when all were refused, 69 when upstream is unreachable)");
  check->add_flag("--json", options->json, "Print a JSON array instead of a table");
  check->add_option("LABEL", options->labels, "Labels of the keys to probe (all when none named)");
  check->fallthrough();
  check->footer(k_global_options_note);
  check->callback([&global, options, &command] {
    command.run = [&global, options] { return run_check(global, *options); };
  });
}

} // namespace app
