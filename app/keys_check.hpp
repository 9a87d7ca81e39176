#pragma once

// The run of `bridge keys check` (docs/contract.md): probe the chosen keys
// once each, all at once, judge each answer as a walk judges an answer, and
// record what the answers say. keys_check_cmd.cpp wires it to the world
// (the invocation, the store --state names, libcurl); a test wires it to an
// in-memory prober, store and clock.

#include "common.hpp"
#include "console.hpp"

#include "pool/mark_store.hpp"
#include "upstream/prober.hpp"
#include "upstream/provider.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"

#include <optional>
#include <string>
#include <vector>

namespace app {

struct CheckOptions {
  bool json = false;
  std::vector<std::string> labels; // the keys to probe, in this order; every key when empty
  std::string model;               // the model a walk would use (a Bedrock probe names it)
};

// What a check needs from the world: the provider and base URL, the keys,
// where marks go (none for a lone key from the environment, whose marks are
// remembered nowhere), the clock the marks are made on, the prober that
// carries the requests, and the console that hears about it.
struct CheckWorld {
  const upstream::Provider& provider;
  const std::string& base_url;
  const KeySource& source;
  pool::MarkStore* store;
  util::Clock& clock;
  upstream::Prober& prober;
  const Console& console;
};

// How a check ended: what goes to stdout (the table, or the --json array),
// the exit code, and the error of a store that refused to clear disabled
// marks (a shared store that cannot be changed: exit 69), to be thrown once
// the output is written.
struct CheckResult {
  std::string output;
  int exit_code = 0;
  std::optional<util::Error> unchanged;
};

// Probes the keys `options` names (every key of the source when none) with
// the provider's probe request, reads each answer (Provider::read) and
// classifies it as a walk would (pool::classify of outcome_of): a 2xx whose
// answer completed works, and its key loses a key-wide disabled mark
// (cooldowns stay); a key the walk would disable is recorded disabled; one
// it would cool is recorded cooling with the walk's penalty (a spend or
// billing limit for every model, until the end it names); anything else,
// a 2xx cut off mid-answer included, is reported and recorded nowhere.
// Exit code: 0 when a key works, 77 when every key was refused, 69 when
// upstream could not be reached, 75 when every key is cooling or refused,
// 1 otherwise. Throws util::Error for an unknown label (exit 2) and an
// interrupt (exit 130), before anything is recorded.
CheckResult check_keys(const CheckWorld& world, const CheckOptions& options);

} // namespace app
