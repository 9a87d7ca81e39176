// bridge keys status | reset: look at and clear what the pool has learned.
#include "command.hpp"
#include "output.hpp"
#include "pool/mark.hpp"
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
  bool all = false;
  std::vector<std::string> labels;
};

struct KeyRow {
  const keys::Key* key;
  std::optional<pool::KeyMark> mark;
  std::string state; // ready, cooling, disabled
  util::Millis left{0};
};

std::vector<KeyRow> key_rows(const KeySource& source, const pool::MarkMap& marks, util::TimePoint now) {
  std::vector<KeyRow> rows;
  rows.reserve(source.keys.size());
  for (const auto& key : source.keys) {
    KeyRow row{&key, std::nullopt, "ready", util::Millis{0}};
    if (auto it = marks.find(key.fingerprint); it != marks.end()) {
      if (pool::is_disabled(it->second)) {
        row.mark = it->second;
        row.state = "disabled";
      } else if (pool::is_cooling(it->second, now)) {
        row.mark = it->second;
        row.state = "cooling";
        row.left = pool::cooldown_left(it->second, now);
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string status_json(const std::vector<KeyRow>& rows, util::TimePoint now) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& row : rows) {
    nlohmann::ordered_json item;
    item["label"] = row.key->label;
    item["hint"] = row.key->hint;
    item["state"] = row.state;
    if (row.mark) {
      if (row.state == "cooling") {
        item["retry_in_ms"] = row.left.count();
        item["until"] = util::format_rfc3339(now + row.left);
      }
      item["status"] = row.mark->status;
      item["reason"] = row.mark->reason;
      item["since"] = util::format_rfc3339(row.mark->since);
    }
    out.push_back(std::move(item));
  }
  // A reason from the state file may hold C1 controls: escaped as \u00XX.
  return util::json_without_c1(out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)) +
         "\n";
}

void append_padded(std::string& out, std::string_view text, std::size_t width) {
  out.append(text);
  if (text.size() < width) {
    out.append(width - text.size(), ' ');
  }
}

// Plain appends rather than a format call per row: with 10,000 keys the
// table is most of the work of `keys status`.
// Labels, hints and reasons are shown through util::printable: a reason
// comes from the state file, which another program may have written.
std::string status_table(const std::vector<KeyRow>& rows, bool colour) {
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
    if (row.mark) {
      out += row.state == "cooling" ? "retry in " + util::format_delay(row.left)
                                    : "since " + util::format_rfc3339(row.mark->since);
      out += " (";
      out += std::to_string(row.mark->status);
      out += ' ';
      out += util::printable(row.mark->reason);
      out += ')';
    }
    while (!out.empty() && out.back() == ' ') { // no trailing blanks
      out.pop_back();
    }
    out += '\n';
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
  auto rows = key_rows(source, marks, now);
  write_stdout(options.json ? status_json(rows, now)
                                              : status_table(rows, use_colour(STDOUT_FILENO)));
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
    throw util::Error(util::ExitCode::usage,
                      "keys reset: give labels, or --all, not both");
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
  if (auto* redis = state.redis()) {
    auto removed = options.all ? redis->reset_all() : redis->reset(fingerprints);
    if (!removed) {
      throw util::Error(util::ExitCode::unavailable,
                        fmt::format("cannot reset the marks on {}: {}", redis->target().display(),
                                    removed.error()));
    }
    console.notice(fmt::format("cleared {} mark{} on {}", *removed, *removed == 1 ? "" : "s",
                               redis->target().display()));
    return 0;
  }
  auto& store = state.file();
  store.load(); // refuses a newer version before anything is changed
  // StateStore::reset clears everything when given no fingerprint: only
  // --all may ask for that.
  auto removed = options.all || !fingerprints.empty() ? store.reset(fingerprints) : 0;
  console.notice(fmt::format("cleared {} mark{}", removed, removed == 1 ? "" : "s"));
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
      "status", "One row per key: ready / cooling / disabled (exit 0 when a key is ready,\n"
                "75 when none is but one is cooling, 77 when all are disabled)");
  status->add_flag("--json", status_options->json, "Print a JSON array instead of a table");
  status->fallthrough();
  status->footer(k_global_options_note);
  status->callback([&global, status_options, &command] {
    command.run = [&global, status_options] { return run_status(global, *status_options); };
  });

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
