// The options of `ask` and `stream`, and the checks of their values.
#include "send_options.hpp"

#include "common.hpp"

#include "util/ceil_millis.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

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

// A text option that must not be empty (the API refuses an empty model or
// stop sequence; better said here than after a round trip).
CLI::Validator not_blank(const char* why) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        return util::trim(text).empty() ? std::string(why) : std::string();
      },
      "");
}

CLI::Validator not_empty(const char* why) {
  return CLI::Validator([=](std::string& text) { return text.empty() ? std::string(why) : ""; },
                        "");
}

const CLI::Validator k_seconds =
    number_check("a number of seconds greater than 0 (such as 30 or 2.5)", 0, 1e9, true);

} // namespace

void add_send_options(CLI::App& sub, SendOptions& o) {
  sub.add_option("-m,--model", o.model,
                 "Model [env: BRIDGE_MODEL]\n"
                 "[default: claude-sonnet-4-5; gpt-4o-mini with --provider openai]")
      ->type_name("MODEL")
      ->check(not_blank("the model name is empty; name one (such as claude-sonnet-4-5), or "
                        "leave the option out for the default"));
  sub.add_option("-s,--system", o.system, "System prompt")
      ->type_name("TEXT")
      ->check(not_empty("the system prompt is empty; the API refuses an empty one: leave the "
                        "option out"));
  sub.add_option("--max-tokens", o.max_tokens,
                 "Most tokens to generate [default: 4096 for anthropic, none for openai]")
      ->type_name("N")
      ->check(whole_check("a whole number from 1 to 100000000", 1, 100'000'000L));
  // The top of the range is the provider's, checked when the body is built.
  sub.add_option("-t,--temperature", o.temperature,
                 "Sampling temperature: 0 to 1 (anthropic), 0 to 2 (openai)")
      ->type_name("T")
      ->check(number_check("a number from 0 to 2", 0, 2, false));
  sub.add_option("--stop", o.stop, "A stop sequence; repeat the option for several")
      ->type_name("SEQ")
      ->check(not_empty("the stop sequence is empty; the API refuses one"))
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
  sub.add_option("--session", o.session,
                 "Keep this conversation on the key that served NAME last (its prompt\n"
                 "cache), for up to an hour; without it, the prompt's prefix decides")
      ->type_name("NAME")
      ->check(not_empty("the session name is empty; name one, or leave the option out"));
  sub.add_option("--retries", o.retries,
                 "Retries of 408/409/5xx/network failures on the same key\n"
                 "(never failing over, never marking the key) [default: 2]")
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

util::Millis seconds_to_ms(double seconds) { return util::ceil_millis(seconds * 1000.0); }

std::optional<util::Millis> wait_limit(const SendOptions& options) {
  if (!options.wait) {
    return std::nullopt;
  }
  auto seconds = util::parse_decimal(util::trim(*options.wait));
  if (!seconds || *seconds < 0) {
    throw Error(ExitCode::usage,
                fmt::format("--wait={}: expected a number of seconds", *options.wait));
  }
  return seconds_to_ms(*seconds);
}

} // namespace app
