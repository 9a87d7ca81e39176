// bridge keys status | reset: look at and clear what the pool has learned.
#include "command.hpp"
#include "mark_text.hpp"
#include "output.hpp"
#include "pool/mark.hpp"
#include "pool/mark_store.hpp"
#include "pool_state.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/printable.hpp"
#include "util/time_format.hpp"

#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace app {

namespace {

struct KeysOptions {
  bool json = false;
  std::optional<std::string> model;
  bool all = false;
  std::vector<std::string> labels;
};

// One key as `keys status` shows it: its state for the model asked about
// (key-wide marks only without -m), and what else is known of it.
struct KeyRow {
  const keys::Key* key;
  std::optional<pool::Block> block;
  std::string state; // ready, cooling, disabled
  util::Millis left{0};
  const pool::KeyMarks* marks = nullptr;
};

std::vector<KeyRow> key_rows(const KeySource& source, const pool::MarkMap& marks,
                             const std::string& model, util::TimePoint now) {
  std::vector<KeyRow> rows;
  rows.reserve(source.keys.size());
  for (const auto& key : source.keys) {
    KeyRow row{&key, std::nullopt, "ready", util::Millis{0}, nullptr};
    if (auto it = marks.find(key.fingerprint); it != marks.end()) {
      row.marks = &it->second;
      row.block = it->second.blocking(model, now);
      if (row.block) {
        row.state = pool::is_disabled(*row.block->mark) ? "disabled" : "cooling";
        row.left = pool::cooldown_left(*row.block->mark, now);
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// The per-model cooldowns of a key still running at `now`, other than the
// one its row shows already.
std::vector<std::pair<std::string, const pool::KeyMark*>> model_cooldowns(const KeyRow& row,
                                                                          util::TimePoint now) {
  std::vector<std::pair<std::string, const pool::KeyMark*>> out;
  if (row.marks == nullptr) {
    return out;
  }
  for (const auto& [model, mark] : row.marks->models) {
    if (pool::is_cooling(mark, now) && !(row.block && row.block->mark == &mark)) {
      out.emplace_back(model, &mark);
    }
  }
  return out;
}

using ordered_json = nlohmann::ordered_json;

ordered_json limits_json(const pool::KeyMarks& marks) {
  ordered_json out = ordered_json::object();
  for (const auto& [model, limits] : marks.limits) {
    ordered_json item;
    item["seen"] = util::format_rfc3339(limits.seen);
    for (const auto& reading : limits.readings) {
      ordered_json kind = ordered_json::object();
      if (reading.remaining >= 0) {
        kind["remaining"] = reading.remaining;
      }
      if (reading.limit >= 0) {
        kind["limit"] = reading.limit;
      }
      if (reading.reset) {
        kind["reset"] = util::format_rfc3339(*reading.reset);
      }
      item[reading.kind] = std::move(kind);
    }
    out[model] = std::move(item);
  }
  return out;
}

std::string status_json(const std::vector<KeyRow>& rows, util::TimePoint now) {
  ordered_json out = ordered_json::array();
  for (const auto& row : rows) {
    ordered_json item;
    item["label"] = row.key->label;
    item["hint"] = row.key->hint;
    item["state"] = row.state;
    if (row.block) {
      const pool::KeyMark& mark = *row.block->mark;
      if (row.state == "cooling") {
        item["retry_in_ms"] = row.left.count();
        item["until"] = util::format_rfc3339(now + row.left);
      }
      item["status"] = mark.status;
      item["reason"] = mark.reason;
      item["since"] = util::format_rfc3339(mark.since);
      if (!row.block->scope.key_wide()) {
        item["model"] = row.block->scope.model();
      }
    }
    auto cooldowns = model_cooldowns(row, now);
    if (!cooldowns.empty()) {
      ordered_json models = ordered_json::array();
      for (const auto& [model, mark] : cooldowns) {
        auto left = pool::cooldown_left(*mark, now);
        models.push_back({{"model", model},
                          {"state", "cooling"},
                          {"retry_in_ms", left.count()},
                          {"until", util::format_rfc3339(now + left)},
                          {"status", mark->status},
                          {"reason", mark->reason},
                          {"since", util::format_rfc3339(mark->since)}});
      }
      item["models"] = std::move(models);
    }
    if (row.marks != nullptr && !row.marks->limits.empty()) {
      item["limits"] = limits_json(*row.marks);
    }
    out.push_back(std::move(item));
  }
  // A reason from the state file may hold C1 controls: escaped as \u00XX.
  return util::json_without_c1(out.dump(2, ' ', false, ordered_json::error_handler_t::replace)) +
         "\n";
}

void append_padded(std::string& out, std::string_view text, std::size_t width) {
  out.append(text);
  if (text.size() < width) {
    out.append(width - text.size(), ' ');
  }
}

void append_mark_detail(std::string& out, const pool::KeyMark& mark, bool cooling,
                        util::Millis left) {
  out += cooling ? "retry in " + util::format_delay(left)
                 : "since " + util::format_rfc3339(mark.since);
  out += " (";
  out += std::to_string(mark.status);
  out += ' ';
  out += util::printable(mark.reason);
  out += ')';
}

// "requests 0/50, tokens 39000/40000": remaining of limit, per kind.
std::string limits_line(const pool::ModelLimits& limits) {
  std::string out;
  for (const auto& reading : limits.readings) {
    out += out.empty() ? "" : ", ";
    out += util::printable(reading.kind) + ' ';
    out += reading.remaining >= 0 ? std::to_string(reading.remaining) : std::string("?");
    out += '/';
    out += reading.limit >= 0 ? std::to_string(reading.limit) : std::string("?");
  }
  return out;
}

// Plain appends rather than a format call per row: with 10,000 keys the
// table is most of the work of `keys status`. Per-model cooldowns and the
// last limits seen follow their key, indented.
// Labels, hints, models and reasons are shown through util::printable: they
// come from the state file, which another program may have written.
std::string status_table(const std::vector<KeyRow>& rows, bool colour, util::TimePoint now) {
  std::size_t label_width = 5;
  std::size_t hint_width = 4;
  std::vector<std::string> labels;
  std::vector<std::string> hints;
  labels.reserve(rows.size());
  hints.reserve(rows.size());
  for (const auto& row : rows) {
    labels.push_back(util::printable(row.key->label));
    hints.push_back(util::printable(row.key->hint));
    label_width = std::max(label_width, labels.back().size());
    hint_width = std::max(hint_width, hints.back().size());
  }
  auto end_line = [](std::string& out) {
    while (!out.empty() && out.back() == ' ') { // no trailing blanks
      out.pop_back();
    }
    out += '\n';
  };
  std::string out;
  out.reserve((label_width + hint_width + 48) * (rows.size() + 1));
  append_padded(out, "LABEL", label_width + 2);
  append_padded(out, "HINT", hint_width + 2);
  out += "STATE     DETAIL\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const KeyRow& row = rows[i];
    append_padded(out, labels[i], label_width + 2);
    append_padded(out, hints[i], hint_width + 2);
    if (colour) {
      out += row.state == "ready" ? "\x1b[32m" : row.state == "cooling" ? "\x1b[33m" : "\x1b[31m";
      out += row.state;
      out += "\x1b[0m";
      out.append(10 - row.state.size(), ' ');
    } else {
      append_padded(out, row.state, 10);
    }
    if (row.block) {
      if (!row.block->scope.key_wide()) {
        out += util::printable(row.block->scope.model()) + ": ";
      }
      append_mark_detail(out, *row.block->mark, row.state == "cooling", row.left);
    }
    end_line(out);
    if (row.marks == nullptr) {
      continue;
    }
    for (const auto& [model, mark] : model_cooldowns(row, now)) {
      out.append(label_width + hint_width + 4, ' ');
      append_padded(out, "cooling", 10);
      out += util::printable(model) + ": ";
      append_mark_detail(out, *mark, true, pool::cooldown_left(*mark, now));
      end_line(out);
    }
    for (const auto& [model, limits] : row.marks->limits) {
      out.append(label_width + hint_width + 4, ' ');
      append_padded(out, "limits", 10);
      out += util::printable(model) + ": " + limits_line(limits);
      end_line(out);
    }
  }
  return out;
}

int run_status(const GlobalOptions& global, const KeysOptions& options) {
  Console console = global.console();
  KeySource source = resolve_keys(global, console);
  util::SystemClock clock;
  pool::MarkMap marks;
  if (source.mode == KeySource::Mode::pool) {
    PoolState state(global, source.keys, clock, console);
    marks = state.store().load();
  }
  auto now = clock.now();
  std::string model = options.model.value_or("");
  auto rows = key_rows(source, marks, model, now);
  write_stdout(options.json ? status_json(rows, now)
                            : status_table(rows, use_colour(STDOUT_FILENO), now));
  for (const auto& row : rows) {
    if (row.block) {
      console.detail(fmt::format("key {} ({}): {}", row.key->label, row.key->hint,
                                 describe_block(*row.block, now)));
    }
  }
  bool any_cooling = false;
  for (const auto& row : rows) {
    if (row.state == "ready") {
      return 0;
    }
    any_cooling = any_cooling || row.state == "cooling";
  }
  return static_cast<int>(any_cooling ? util::ExitCode::temp_fail : util::ExitCode::no_permission);
}

int run_reset(const GlobalOptions& global, const KeysOptions& options) {
  Console console = global.console();
  KeySource source = resolve_keys(global, console);
  if (source.mode == KeySource::Mode::byok) {
    throw util::Error(util::ExitCode::config,
                      "keys reset works on a key file's pool; with ANTHROPIC_API_KEY alone "
                      "nothing is remembered");
  }
  if (options.all && !options.labels.empty()) {
    throw util::Error(util::ExitCode::usage, "keys reset: give labels, or --all, not both");
  }
  // No label: the keys of this key file, and only those; the state file may
  // be shared with other key files, whose marks are not ours to clear.
  // --all: every mark in the state, whatever key file made it.
  std::vector<std::string> fingerprints;
  if (!options.all && options.labels.empty()) {
    for (const auto& key : source.keys) {
      fingerprints.push_back(key.fingerprint);
    }
  }
  for (const auto& label : options.labels) {
    auto it = std::find_if(source.keys.begin(), source.keys.end(),
                           [&](const keys::Key& key) { return key.label == label; });
    if (it == source.keys.end()) {
      throw util::Error(util::ExitCode::usage,
                        fmt::format("no key labelled '{}' in {}", label, source.key_file));
    }
    fingerprints.push_back(it->fingerprint);
  }
  util::SystemClock clock;
  PoolState state(global, source.keys, clock, console);
  // Whichever store --state names; when it cannot be changed, the store
  // throws (docs/redis.md, "Faults": exit 69 for Redis, nothing changed).
  pool::MarkStore& store = state.store();
  store.check_writable(); // refuses a newer state file before anything is changed
  auto removed = options.all ? store.reset_all() : store.reset(fingerprints);
  console.notice(
      fmt::format("cleared {} mark{} {}", removed, removed == 1 ? "" : "s", state.where()));
  return 0;
}

} // namespace

void add_keys_command(CLI::App& app, GlobalOptions& global, Command& command) {
  auto* keys = app.add_subcommand("keys", "Show or clear what the pool has learned about its keys");
  keys->require_subcommand(1);
  keys->fallthrough();
  keys->footer(k_global_options_note);

  auto status_options = std::make_shared<KeysOptions>();
  auto* status = keys->add_subcommand(
      "status", "One row per key: ready / cooling / disabled, with per-model cooldowns and\n"
                "the last rate limits seen (exit 0 when a key is ready, 75 when none is but\n"
                "one is cooling, 77 when all are disabled; for MODEL with -m)");
  status->add_flag("--json", status_options->json, "Print a JSON array instead of a table");
  status
      ->add_option("-m,--model", status_options->model,
                   "Answer for this model: its cooldowns count as well as the key's")
      ->type_name("MODEL");
  status->fallthrough();
  status->footer(k_global_options_note);
  status->callback([&global, status_options, &command] {
    command.run = [&global, status_options] { return run_status(global, *status_options); };
  });

  add_keys_check_command(*keys, global, command);

  auto reset_options = std::make_shared<KeysOptions>();
  auto* reset = keys->add_subcommand(
      "reset", "Clear the marks of the named keys; of every key in the key file when none is\n"
               "named; of the whole state (every key file's keys) with --all");
  reset->add_option("LABEL", reset_options->labels, "Labels of the keys to clear");
  reset->add_flag("--all", reset_options->all,
                  "Clear every mark in the state, also those of keys of other key files\n"
                  "(with Redis: every key under the prefix, found by SCAN)");
  reset->fallthrough();
  reset->footer(k_global_options_note);
  reset->callback([&global, reset_options, &command] {
    command.run = [&global, reset_options] { return run_reset(global, *reset_options); };
  });
}

} // namespace app
