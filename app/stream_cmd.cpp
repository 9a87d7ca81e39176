// bridge stream: one streaming request; prints text deltas as they arrive,
// or with --raw relays the upstream server-sent events exactly as received.
#include "command.hpp"
#include "output.hpp"
#include "send.hpp"
#include "spinner.hpp"
#include "upstream/sse_parser.hpp"
#include "upstream_text.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <memory>
#include <unistd.h>

namespace app {

namespace {

class StreamExchange final : public Exchange {
public:
  StreamExchange(bool raw, Console console) : m_raw(raw), m_console(console) {}

  void begin(AttemptRecord& record) override {
    if (!m_console.quiet) {
      m_spinner.start("waiting for the first words");
    }
    m_record = &record;
    m_reader = m_provider->event_reader();
    m_streaming = false;
    m_events = 0;
    m_complete = false;
    m_output_closed = false;
    m_too_large = false;
    m_bad_delta = false;
    m_pending.clear();
    m_text_batch.clear();
    m_raw_batch.clear();
    m_body.clear();
  }

  void head(long status, const upstream::Headers& headers) override {
    m_record->attempt.status = status;
    m_record->attempt.headers = headers;
    auto type = headers.get("content-type");
    m_streaming =
        status >= 200 && status < 300 && type &&
        util::starts_with_ci(util::trim(*type), m_provider->profile().stream_content_type);
    if (m_streaming && m_record->key != nullptr) {
      // Which key answers matters now, before its text, not after the end.
      m_console.detail(fmt::format("key {} ({}): {}, streaming the answer", m_record->key->label,
                                   m_record->key->hint, status));
    }
  }

  bool body(std::string_view chunk) override {
    if (!m_streaming) {
      if (m_body.size() + chunk.size() > k_max_answer) {
        m_too_large = true;
        return false;
      }
      m_body.append(chunk);
      return true;
    }
    bool before_first = m_events == 0;
    bool fed = m_reader->feed(chunk, [this](const upstream::SseEvent& event) { on_event(event); });
    // The text of every delta in this network read goes out in one write:
    // each delta is still on its way to stdout as soon as it has arrived.
    write_out(shown(m_text_batch));
    m_text_batch.clear();
    if (m_raw && !m_reader->relays_bytes()) {
      // Binary frames: each event as a server-sent event (on_event).
      write_out(shown(m_raw_batch));
      m_raw_batch.clear();
    } else if (m_raw) {
      // Relay whole events only: nothing before the first event (a failure
      // then still fails over), and never half an event, so that an error
      // event we add after a drop is not glued onto a partial line.
      std::size_t scan_from = m_pending.size() > 3 ? m_pending.size() - 3 : 0;
      m_pending.append(chunk);
      std::size_t end = m_events > 0 ? last_event_end(m_pending, scan_from) : 0;
      if (end > 0) {
        write_out(shown(std::string_view(m_pending).substr(0, end)));
        m_pending.erase(0, end);
      }
    }
    (void)before_first;
    return fed && !m_output_closed && !m_bad_delta;
  }

  void ended(AttemptRecord& record) override {
    if (record.attempt.status < 200 || record.attempt.status >= 300) {
      record.attempt.error_body = m_body;
    }
  }
  pool::AttemptOutcome finish(AttemptRecord& record, pool::AttemptOutcome outcome) override {
    m_spinner.stop();
    bool ok = record.attempt.status >= 200 && record.attempt.status < 300;
    if (!ok) {
      return outcome;
    }
    if (outcome.kind == pool::AttemptOutcome::Kind::interrupted) {
      end_text_line();
      return outcome;
    }
    if (!m_streaming) {
      return finish_plain(record, outcome);
    }
    if (m_output_closed) {
      // The answer itself came; only writing it failed. The key did its job
      // (no mark, no failover); the output layer gives the exit status.
      return outcome;
    }
    using Error = upstream::TransferResult::Error;
    std::string broken;
    std::string type = "api_error";
    if (m_bad_delta) {
      broken = "the upstream sent a text event that is not valid JSON";
    } else if (m_record->stream_error) {
      broken = "the upstream sent an error event";
    } else if (!m_reader->failure().empty()) {
      broken = m_reader->failure();
    } else if (record.attempt.transfer.error != Error::none) {
      if (m_events == 0) {
        return outcome; // a failure before the first event: reported like ask's
      }
      if (record.attempt.transfer.error == Error::idle ||
          record.attempt.transfer.error == Error::timeout) {
        type = "timeout_error";
        broken = (record.attempt.transfer.error == Error::idle ? "the stream stalled: "
                                                               : "the stream was stopped: ") +
                 record.attempt.transfer.message;
      } else {
        broken = "the stream was cut off: " + record.attempt.transfer.message;
      }
    } else if (m_reader->mid_event() && !m_reader->relays_bytes()) {
      broken = "the stream ended inside an event-stream frame";
    } else if (!m_complete) {
      broken = m_events == 0 ? "the stream ended without any event"
                             : "the stream ended before " + m_provider->profile().end_marker;
    } else {
      if (m_raw) {
        write_out(shown(m_pending)); // whatever followed message_stop, as received
      }
      // End the text's line now, before -v says how the attempt ended.
      end_text_line(/*complete=*/true);
      return outcome;
    }
    record.broken = broken;
    outcome.kind = pool::AttemptOutcome::Kind::broken_answer;
    if (m_raw && !m_record->stream_error && !m_output_closed) {
      write_out("event: error\ndata: " + upstream::error_json({type, broken}) + "\n\n");
    }
    end_text_line();
    return outcome;
  }

  void succeed(AttemptRecord&) override {
    if (!m_streaming && !m_raw) {
      write_out(shown(m_plain_text));
    }
    end_text_line(/*complete=*/true);
  }

private:
  // A 2xx that is not an event stream (a server that ignored "stream"):
  // take it as a blocking answer.
  pool::AttemptOutcome finish_plain(AttemptRecord& record, pool::AttemptOutcome outcome) {
    if (outcome.kind != pool::AttemptOutcome::Kind::answered) {
      return outcome;
    }
    auto text = m_provider->answer_text(m_body);
    if (m_too_large || !text) {
      record.broken = m_too_large ? "the answer is larger than 64 MiB"
                                  : "the answer is neither an event stream nor " +
                                        m_provider->profile().answer_name;
      outcome.kind = pool::AttemptOutcome::Kind::broken_answer;
      return outcome;
    }
    m_plain_text = *text;
    if (m_raw) {
      write_out(shown(m_body));
    }
    return outcome;
  }

  void on_event(const upstream::SseEvent& event) {
    ++m_events;
    if (m_raw && !m_reader->relays_bytes()) {
      m_raw_batch += "event: " + event.name + "\ndata: " + event.data + "\n\n";
    }
    upstream::UpstreamError error;
    switch (m_provider->decode_event(event, /*want_text=*/!m_raw, m_text_batch, error)) {
    case upstream::EventKind::done:
      m_complete = true;
      break;
    case upstream::EventKind::error:
      if (m_redactor) {
        redact(error, *m_redactor);
      }
      m_record->stream_error = std::move(error);
      break;
    case upstream::EventKind::malformed:
      m_bad_delta = true; // never drop text silently: the run fails instead
      break;
    case upstream::EventKind::text:
    case upstream::EventKind::ignored:
      break;
    }
  }

  // The end of the last complete event in `buffer` (just after a blank line:
  // "\n\n", "\r\n\r\n" or "\r\r"), looking only at positions from `from`;
  // 0 when there is none.
  static std::size_t last_event_end(std::string_view buffer, std::size_t from) {
    for (std::size_t end = buffer.size(); end > from && end >= 2; --end) {
      char last = buffer[end - 1];
      char before = buffer[end - 2];
      if ((last == '\n' && before == '\n') || (last == '\r' && before == '\r') ||
          (last == '\n' && end >= 4 && buffer.substr(end - 4, 4) == "\r\n\r\n")) {
        return end;
      }
    }
    return 0;
  }

  void write_out(std::string_view bytes) {
    if (bytes.empty() || m_output_closed) {
      return;
    }
    m_spinner.stop(); // erased before the first text
    if (!write_stdout(bytes)) {
      m_output_closed = true;
      return;
    }
    m_wrote_any = true;
    m_last_char = bytes.back();
  }

  // Text output ends with a newline, whatever the model's last delta was; an
  // answer that failed before any text leaves stdout empty.
  void end_text_line(bool complete = false) {
    if (!m_raw && !m_output_closed && (m_wrote_any || complete) &&
        (!m_wrote_any || m_last_char != '\n')) {
      write_out("\n");
    }
  }

  bool m_raw;
  Console m_console;
  Spinner m_spinner;
  AttemptRecord* m_record = nullptr;
  std::unique_ptr<upstream::EventReader> m_reader;
  bool m_streaming = false;
  long m_events = 0;
  bool m_complete = false;
  bool m_output_closed = false;
  bool m_too_large = false;
  bool m_bad_delta = false;
  bool m_wrote_any = false;
  char m_last_char = '\0';
  std::string m_pending;
  std::string m_text_batch;
  std::string m_raw_batch; // --raw, binary frames: the events read, as server-sent events
  std::string m_body;
  std::string m_plain_text;
};

} // namespace

void add_stream_command(CLI::App& app, GlobalOptions& global, Command& command) {
  auto options = std::make_shared<SendOptions>();
  auto* sub =
      app.add_subcommand("stream", "Send one streaming request and print text as it arrives");
  add_send_options(*sub, *options);
  sub->add_flag("--raw", options->machine_output,
                "Relay the upstream server-sent events exactly as received; errors as JSON");
  sub->callback([&global, options, &command] {
    command.run = [&global, options] {
      StreamExchange exchange(options->machine_output, global.console());
      return run_send(global, *options, /*stream=*/true, exchange);
    };
  });
}

} // namespace app
