// bridge ask: one blocking request; prints the text, or with --json the
// upstream body exactly as received.
#include "command.hpp"
#include "output.hpp"
#include "send.hpp"
#include "spinner.hpp"
#include "util/file.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fmt/format.h>
#include <memory>
#include <unistd.h>

namespace app {

namespace {

class AskExchange final : public Exchange {
public:
  AskExchange(bool json, bool spin) : m_json(json), m_spin(spin) {}

  void begin(AttemptRecord& record) override {
    if (m_spin) {
      m_spinner.start("waiting for the answer");
    }
    m_record = &record;
    m_body.clear();
    m_too_large = false;
  }
  void head(long status, const upstream::Headers& headers) override {
    m_record->attempt.status = status;
    m_record->attempt.headers = headers;
  }
  bool body(std::string_view chunk) override {
    std::size_t needed = m_body.size() + chunk.size();
    if (needed > k_max_answer) {
      m_too_large = true;
      return false;
    }
    if (needed > m_body.capacity()) {
      // Grow by doubling, but never past the cap: an answer near the limit
      // must not cost twice the limit in memory.
      m_body.reserve(std::min(k_max_answer, std::max(needed, 2 * m_body.capacity())));
    }
    m_body.append(chunk);
    return true;
  }
  void ended(AttemptRecord& record) override {
    if (record.attempt.status < 200 || record.attempt.status >= 300) {
      record.attempt.error_body = m_body;
    }
  }
  pool::AttemptOutcome finish(AttemptRecord& record, pool::AttemptOutcome outcome) override {
    bool ok = record.attempt.status >= 200 && record.attempt.status < 300;
    if (outcome.kind != pool::AttemptOutcome::Kind::answered) {
      return outcome;
    }
    if (m_too_large) {
      record.broken = fmt::format("the answer is larger than {} MiB", k_max_answer >> 20);
      outcome.kind = pool::AttemptOutcome::Kind::broken_answer;
      return outcome;
    }
    if (ok) {
      m_text = m_provider->answer_text(m_body);
      if (!m_text) {
        record.broken =
            fmt::format("the answer is not {} (malformed JSON)", m_provider->profile().answer_name);
        outcome.kind = pool::AttemptOutcome::Kind::broken_answer;
      }
    }
    return outcome;
  }
  void succeed(AttemptRecord&) override {
    m_spinner.stop();
    if (m_json) {
      write_stdout(shown(m_body));
      return;
    }
    std::string text(shown(*m_text));
    if (text.empty() || text.back() != '\n') {
      text.push_back('\n');
    }
    write_stdout(text);
  }

private:
  bool m_json;
  bool m_spin;
  Spinner m_spinner;
  AttemptRecord* m_record = nullptr;
  std::string m_body;
  bool m_too_large = false;
  std::optional<std::string> m_text;
};

} // namespace

void add_ask_command(CLI::App& app, GlobalOptions& global, Command& command) {
  auto options = std::make_shared<SendOptions>();
  auto* sub =
      app.add_subcommand("ask", "Send one request and print the answer when it is complete");
  add_send_options(*sub, *options);
  sub->add_flag(
      "--json", options->machine_output,
      "Print the upstream response body exactly as received; errors as one JSON line on stderr");
  sub->callback([&global, options, &command] {
    command.run = [&global, options] {
      AskExchange exchange(options->machine_output, /*spin=*/!global.quiet);
      return run_send(global, *options, /*stream=*/false, exchange);
    };
  });
}

} // namespace app
