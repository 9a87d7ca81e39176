// bridge keys status | reset: look at and clear what the pool has learned.
#include "command.hpp"
#include "invocation.hpp"
#include "key_labels.hpp"
#include "key_status.hpp"
#include "mark_text.hpp"
#include "output.hpp"
#include "pool/mark.hpp"
#include "pool/mark_store.hpp"
#include "pool_state.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/printable.hpp"
#include "util/time_format.hpp"

#include <CLI/CLI.hpp>
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

int run_status(const GlobalOptions& global, const KeysOptions& options) {
  Invocation invocation(global, global.console());
  const Console& console = invocation.console();
  const KeySource& source = invocation.keys();
  util::SystemClock clock;
  pool::MarkMap marks;
  if (source.mode == KeySource::Mode::pool) {
    PoolState state(global, source.keys, clock, console);
    marks = state.store().load();
  }
  auto now = clock.now();
  // Without -m: the model `ask` would use, so that "ask before you send"
  // holds; the other models' cooldowns are listed under their key.
  std::string model =
      options.model ? *options.model : default_model(invocation.provider().profile());
  auto rows = key_rows(source, marks, model, now);
  write_stdout(options.json ? status_json(rows, now)
                            : status_table(rows, use_colour(STDOUT_FILENO), now));
  // Only with -v: with 10,000 keys, formatting lines nobody reads cost as
  // much as the table.
  for (const auto& row : rows) {
    if (row.block && console.verbose) {
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
  Invocation invocation(global, global.console());
  const Console& console = invocation.console();
  const KeySource& source = invocation.keys();
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
  for (const keys::Key* key :
       keys_by_label(source, options.labels, invocation.provider().profile())) {
    fingerprints.push_back(key->fingerprint);
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
      "status", "One row per key: ready / cooling / disabled for the model ask would use\n"
                "(BRIDGE_MODEL, else the provider's default; MODEL with -m), other models'\n"
                "cooldowns and the last rate limits seen beneath; exit 0 when a key is\n"
                "ready for it, 75 when none is but one is cooling, 77 when all are disabled");
  status->add_flag("--json", status_options->json, "Print a JSON array instead of a table");
  status
      ->add_option("-m,--model", status_options->model,
                   "Answer for this model rather than the one ask would use")
      ->type_name("MODEL")
      ->check(non_empty("the model name is empty; name one (such as claude-sonnet-4-5), or leave "
                        "the option out for the model ask would use"));
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
