// The run of `bridge keys check` (keys_check.hpp).
#include "keys_check.hpp"

#include "upstream_text.hpp"

#include "answer_outcome.hpp"
#include "key_labels.hpp"
#include "mark_text.hpp"
#include "pool/outcome.hpp"
#include "util/file.hpp"
#include "util/printable.hpp"
#include "util/time_format.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace app {

namespace {

struct CheckRow {
  const keys::Key* key = nullptr;
  std::string result; // ok, refused, rate_limited, error
  long status = 0;
  std::string message;
  std::string detail; // the table's last column
  bool unreachable = false;
  std::optional<pool::Penalty> cooling; // a rate_limited row: the walk's penalty
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

const char* limit_name(pool::Limit limit) {
  switch (limit) {
  case pool::Limit::spend:
    return "spend";
  case pool::Limit::billing:
    return "billing";
  case pool::Limit::rate:
    break;
  }
  return "rate";
}

std::string check_json(const std::vector<CheckRow>& rows,
                       const std::vector<pool::AttemptOutcome>& outcomes) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const CheckRow& row = rows[i];
    nlohmann::ordered_json item;
    item["label"] = row.key->label;
    item["hint"] = row.key->hint;
    item["result"] = row.result;
    item["status"] = row.status;
    item["message"] = row.message;
    if (row.cooling) {
      // Which limit, and when the key is back: a spend limit may last weeks.
      item["limit"] = limit_name(outcomes[i].limit);
      item["until"] = util::format_rfc3339(row.cooling->mark.until);
    }
    out.push_back(std::move(item));
  }
  // Messages come from upstream: C1 controls written as \u00XX (keys status
  // --json does the same).
  return util::json_without_controls(
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

int exit_code(const std::vector<CheckRow>& rows) {
  auto count = [&](auto predicate) {
    return static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), predicate));
  };
  if (count([](const CheckRow& r) { return r.result == "ok"; }) > 0) {
    return 0;
  }
  if (count([](const CheckRow& r) { return r.result == "refused"; }) == rows.size()) {
    return static_cast<int>(util::ExitCode::no_permission);
  }
  if (count([](const CheckRow& r) { return r.unreachable; }) > 0) {
    return static_cast<int>(util::ExitCode::unavailable);
  }
  // No key works now, and none said anything but that it cools or is
  // refused: transient exhaustion, as for a walk (exit 75).
  if (count([](const CheckRow& r) {
        return r.result == "rate_limited" || r.result == "refused";
      }) == rows.size()) {
    return static_cast<int>(util::ExitCode::temp_fail);
  }
  return static_cast<int>(util::ExitCode::upstream_error);
}

} // namespace

CheckResult check_keys(const CheckWorld& world, const CheckOptions& options) {
  const upstream::Provider& provider = world.provider;
  auto chosen = chosen_keys(world.source, options, provider);

  // The provider's cheap request (a model list, or Bedrock's one-token
  // invoke); only the key differs.
  std::vector<upstream::HttpRequest> requests;
  requests.reserve(chosen.size());
  for (const auto* key : chosen) {
    requests.push_back(provider.probe(world.base_url, key->secret, options.model));
  }
  auto started = std::chrono::steady_clock::now();
  auto probes = world.prober.probe(requests);
  auto took = std::chrono::duration_cast<util::Millis>(std::chrono::steady_clock::now() - started);
  world.console.detail(fmt::format("probed {} key{} in {} ms", chosen.size(),
                                   chosen.size() == 1 ? "" : "s", took.count()));
  if (std::any_of(probes.begin(), probes.end(), [](const upstream::Attempt& p) {
        return p.transfer.error == upstream::TransferResult::Error::interrupted;
      })) {
    throw util::Error(util::ExitCode::interrupted, "interrupted");
  }

  std::vector<CheckRow> rows;
  std::vector<pool::AttemptOutcome> outcomes;
  std::vector<std::string> working;
  util::Redactor redactor = key_redactor(world.source); // an upstream may quote the key it was sent
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    auto now = world.clock.now();
    upstream::AnswerReading reading = read_answer(provider, probes[i], redactor, now);
    pool::AttemptOutcome outcome = outcome_of(reading);
    pool::Verdict verdict = pool::classify(outcome);
    CheckRow row = judge(*chosen[i], probes[i], reading, verdict, world.base_url);
    if (verdict == pool::Verdict::disable || verdict == pool::Verdict::cool) {
      // The walk's penalty (a spend limit rests the key for every model).
      auto penalty = pool::penalty_for(outcome, verdict, "", now, pool::k_default_cooldown);
      if (world.store) {
        world.store->record(*chosen[i], penalty.scope, penalty.mark);
        // A refusal, a spend limit or a billing problem keeps the key out
        // of every walk from now on: the way back, on stderr, as a walk says it.
        if (auto warning = lasting_mark_warning(*chosen[i], penalty.mark); !warning.empty()) {
          world.console.warning(warning);
        }
      }
      if (verdict == pool::Verdict::cool) {
        // "cooling for 42s", or the limit and its end: "spend limit until
        // 2026-12-01T00:00:00.000Z" (the words of -v).
        row.detail += ", " + describe_block({&penalty.mark, penalty.scope}, now);
        row.cooling = std::move(penalty);
      }
    }
    if (row.result == "ok") {
      working.push_back(chosen[i]->fingerprint);
    }
    rows.push_back(std::move(row));
    outcomes.push_back(std::move(outcome));
  }

  CheckResult result;
  // A shared store that cannot be changed throws (docs/redis.md, "Faults":
  // exit 69): the probes' results are shown first all the same.
  if (world.store && !working.empty()) {
    try {
      auto cleared = world.store->clear_disabled(working);
      if (cleared > 0) {
        world.console.notice(
            fmt::format("cleared {} disabled mark{}", cleared, cleared == 1 ? "" : "s"));
      }
    } catch (const util::Error& error) {
      result.unchanged = error;
    }
  }
  result.output = options.json ? check_json(rows, outcomes) : check_table(rows);
  result.exit_code = exit_code(rows);
  return result;
}

} // namespace app
