#pragma once

// The options `ask` and `stream` share, and the checks of their values.

#include "util/clock.hpp"

#include "cli_fwd.hpp"
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace app {

// Options of `ask` and `stream` (docs/contract.md, commands).
struct SendOptions {
  std::optional<std::string> model;
  std::optional<std::string> system;
  std::optional<long> max_tokens; // the provider's default when not given
  std::optional<double> temperature;
  std::vector<std::string> stop;
  std::optional<std::string> request_file;
  std::optional<std::string> session; // the prompt-cache affinity, rather than the prefix
  std::optional<int> retries;
  std::optional<std::string> wait; // MAX seconds (a bare --wait is "300")
  double timeout = 600;
  double connect_timeout = 10;
  double idle_timeout = 120;
  bool no_stdin = false;
  bool machine_output = false; // ask --json, stream --raw
  std::vector<std::string> words;
};

// Declares the options on `sub`, each with a validator whose message says
// in words what is expected (CLI11 prefixes the option's name).
void add_send_options(CLI::App& sub, SendOptions& options);

// Seconds as milliseconds, rounded up: a timeout never runs short.
util::Millis seconds_to_ms(double seconds);

// The --wait limit; nullopt without --wait. Throws util::Error (exit 2) for
// a value that is not a number of seconds.
std::optional<util::Millis> wait_limit(const SendOptions& options);

// Retries of an answer that is not the key's fault, on the same key, when
// --retries is not given: 2 in every mode, as the official SDKs.
inline constexpr int k_default_retries = 2;

// The largest blocking answer (and error body, prompt or --request body) we
// hold in memory.
inline constexpr std::size_t k_max_answer = 64 * 1024 * 1024;

} // namespace app
