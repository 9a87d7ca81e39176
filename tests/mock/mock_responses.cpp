#include "mock_responses.hpp"
#include "mock_bedrock.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

namespace mock {
namespace {

// The real API writes its fields in a fixed order; keeping insertion order
// makes the mock's bodies read like the ones in the API reference.
using ordered = nlohmann::ordered_json;

std::atomic<bool> g_stopping{false};

constexpr std::int64_t k_stop_poll_ms = 10;
constexpr std::int64_t k_gate_poll_ms = 10;
constexpr std::int64_t k_gate_limit_ms = 30000;
// Events are gathered into writes of about this size when no pacing is
// asked for, so that multi-gigabyte streams are not one syscall per event.
constexpr std::size_t k_write_batch = 64 * 1024;
constexpr std::size_t k_filler_piece = 16 * 1024;
// Printable ASCII with nothing that JSON would escape, so filler text can be
// placed between quotes as it is, and the client's output is predictable.
constexpr std::string_view k_filler = "The quick brown fox jumps over the lazy dog. ";
constexpr std::string_view k_placeholder = "@@MOCK_FILLER@@";

std::string dump(const ordered& j) {
  return j.dump(-1, ' ', false, ordered::error_handler_t::replace);
}

// Appends `len` bytes of the endless filler text, starting at `offset` in it.
void append_filler(std::string& out, std::uint64_t offset, std::size_t len) {
  while (len > 0) {
    const std::size_t pos = static_cast<std::size_t>(offset % k_filler.size());
    const std::size_t take = std::min(len, k_filler.size() - pos);
    out.append(k_filler.substr(pos, take));
    offset += take;
    len -= take;
  }
}

struct error_kind {
  const char* type;
  const char* message;
};

// The error type the real API uses for each status.
error_kind error_for_status(int status) {
  switch (status) {
  case 400:
    return {"invalid_request_error", "mock: the request is invalid"};
  case 401:
    return {"authentication_error", "invalid x-api-key"};
  case 402:
    return {"billing_error", "mock: your credit balance is too low"};
  case 403:
    return {"permission_error", "mock: this key may not use this resource"};
  case 404:
    return {"not_found_error", "mock: not found"};
  case 408:
    return {"timeout_error", "mock: request timed out"};
  case 413:
    return {"request_too_large", "mock: request exceeds the maximum size"};
  case 429:
    return {"rate_limit_error", "mock: rate limit exceeded"};
  case 500:
    return {"api_error", "mock: internal server error"};
  case 529:
    return {"overloaded_error", "Overloaded"};
  default:
    return {"api_error", "mock: unexpected error"};
  }
}

ordered error_json(const std::string& type, const std::string& message) {
  return ordered{{"type", "error"}, {"error", {{"type", type}, {"message", message}}}};
}

// OpenAI's error type, code and message for each status, as its API sends
// them (the code of a 429 for too many requests is rate_limit_exceeded; a
// quota that is used up is scripted with error_code insufficient_quota).
struct openai_error_kind {
  const char* type;
  const char* code; // nullptr: JSON null
  const char* message;
};

openai_error_kind openai_error_for_status(int status) {
  switch (status) {
  case 400:
    return {"invalid_request_error", nullptr, "mock: the request is invalid"};
  case 401:
    return {"invalid_request_error", "invalid_api_key", "Incorrect API key provided."};
  case 403:
    return {"invalid_request_error", "unsupported_country_region_territory",
            "mock: this key may not be used here"};
  case 404:
    return {"invalid_request_error", "model_not_found", "mock: the model does not exist"};
  case 429:
    return {"requests", "rate_limit_exceeded", "mock: rate limit reached for requests"};
  case 500:
    return {"server_error", nullptr, "mock: the server had an error"};
  case 503:
    return {"server_error", nullptr, "mock: the engine is overloaded"};
  default:
    return {"server_error", nullptr, "mock: unexpected error"};
  }
}

ordered openai_error_json(const response_spec& spec, int status) {
  const openai_error_kind kind = openai_error_for_status(status);
  ordered code = kind.code ? ordered(kind.code) : ordered(nullptr);
  if (spec.error_code) {
    code = spec.error_code->empty() ? ordered(nullptr) : ordered(*spec.error_code);
  }
  return ordered{{"error",
                  {{"message", spec.error_message.value_or(kind.message)},
                   {"type", spec.error_type.value_or(kind.type)},
                   {"param", nullptr},
                   {"code", std::move(code)}}}};
}

// The fields every chat.completion(.chunk) object starts with.
ordered openai_head(const request_info& info, const char* object) {
  return ordered{{"id", "chatcmpl-mock-" + std::to_string(info.number)},
                 {"object", object},
                 {"created", 1767225600},
                 {"model", info.model},
                 {"system_fingerprint", "fp_mock"}};
}

ordered openai_completion(const request_info& info, const std::string& text) {
  ordered body = openai_head(info, "chat.completion");
  body["choices"] = ordered::array(
      {ordered{{"index", 0},
               {"message", {{"role", "assistant"}, {"content", text}, {"refusal", nullptr}}},
               {"logprobs", nullptr},
               {"finish_reason", "stop"}}});
  const std::uint64_t prompt = std::max<std::uint64_t>(1, info.body_bytes / 4);
  const std::uint64_t completion = std::max<std::uint64_t>(1, text.size() / 4);
  body["usage"] = {{"prompt_tokens", prompt},
                   {"completion_tokens", completion},
                   {"total_tokens", prompt + completion}};
  return body;
}

ordered openai_chunk(const request_info& info, ordered delta, ordered finish_reason) {
  ordered chunk = openai_head(info, "chat.completion.chunk");
  chunk["choices"] = ordered::array({ordered{{"index", 0},
                                             {"delta", std::move(delta)},
                                             {"logprobs", nullptr},
                                             {"finish_reason", std::move(finish_reason)}}});
  return chunk;
}

std::uint64_t tokens_for(std::uint64_t bytes) { return std::max<std::uint64_t>(1, bytes / 4); }

ordered usage_json(const request_info& info, std::uint64_t output_tokens) {
  ordered usage{{"input_tokens", tokens_for(info.body_bytes)}, {"output_tokens", output_tokens}};
  if (info.cache_hit) {
    std::uint64_t prefix = tokens_for(info.prefix_bytes);
    usage["cache_creation_input_tokens"] = *info.cache_hit ? 0 : prefix;
    usage["cache_read_input_tokens"] = *info.cache_hit ? prefix : 0;
  }
  return usage;
}

ordered message_json(const request_info& info, ordered content, ordered stop_reason,
                     std::uint64_t output_tokens) {
  return ordered{
      {"id", "msg_mock_" + std::to_string(info.number)},
      {"type", "message"},
      {"role", "assistant"},
      {"model", info.model},
      {"content", std::move(content)},
      {"stop_reason", std::move(stop_reason)},
      {"stop_sequence", nullptr},
      {"usage", usage_json(info, output_tokens)},
  };
}

// Writes server-sent events into httplib's chunked sink, honouring pace_ms.
class sse_writer {
public:
  sse_writer(httplib::DataSink& sink, int pace_ms, bool bedrock = false)
      : m_sink(sink), m_pace_ms(pace_ms), m_bedrock(bedrock) {}

  // Queues bytes. Returns false once the client is gone or the mock stops.
  bool raw(std::string_view bytes) {
    if (!m_ok) {
      return false;
    }
    m_buffer.append(bytes);
    if (m_pace_ms > 0 || m_buffer.size() >= k_write_batch) {
      return flush();
    }
    return true;
  }

  // Call before the first byte of every event: waits pace_ms between events.
  bool begin_event() {
    if (m_started && m_pace_ms > 0) {
      if (!flush() || !pause_for(m_pace_ms)) {
        return m_ok = false;
      }
    }
    m_started = true;
    return m_ok && !stopping();
  }

  bool event(std::string_view name, const ordered& data) {
    if (!begin_event()) {
      return false;
    }
    if (m_bedrock) {
      // Bedrock carries each Anthropic event in an event-stream frame.
      return raw(bedrock_chunk_frame(dump(data)));
    }
    std::string text = "event: ";
    text.append(name);
    text += "\ndata: ";
    text += dump(data);
    text += "\n\n";
    return raw(text);
  }

  // An unnamed event, as the Chat Completions API sends them.
  bool data(std::string_view text) {
    if (!begin_event()) {
      return false;
    }
    std::string line = "data: ";
    line.append(text);
    line += "\n\n";
    return raw(line);
  }

  // A text delta whose text is `len` bytes of filler; written in pieces so
  // that a delta of many megabytes is never held in memory.
  bool filler_delta(std::uint64_t offset, std::size_t len, const request_info& info) {
    if (m_bedrock) {
      std::string text;
      append_filler(text, offset, len);
      return event("content_block_delta", {{"type", "content_block_delta"},
                                           {"index", 0},
                                           {"delta", {{"type", "text_delta"}, {"text", text}}}});
    }
    std::string head =
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
        "\"delta\":{\"type\":\"text_delta\",\"text\":\"";
    std::string tail = "\"}}\n\n";
    if (info.openai) {
      const std::string whole = dump(openai_chunk(info, {{"content", k_placeholder}}, nullptr));
      const std::size_t cut = whole.find(k_placeholder);
      head = "data: " + whole.substr(0, cut);
      tail = whole.substr(cut + k_placeholder.size()) + "\n\n";
    }
    if (!begin_event() || !raw(head)) {
      return false;
    }
    std::string piece;
    while (len > 0) {
      const std::size_t take = std::min(len, k_filler_piece);
      piece.clear();
      append_filler(piece, offset, take);
      if (!raw(piece)) {
        return false;
      }
      offset += take;
      len -= take;
    }
    return raw(tail);
  }

  bool flush() {
    if (m_ok && !m_buffer.empty()) {
      m_ok = m_sink.write(m_buffer.data(), m_buffer.size());
    }
    m_buffer.clear();
    return m_ok;
  }

private:
  httplib::DataSink& m_sink;
  int m_pace_ms;
  bool m_bedrock;
  std::string m_buffer;
  bool m_ok = true;
  bool m_started = false;
};

// Waits until the gate file exists, so a test can check what reached the
// client while the rest of the stream is held back. Bounded: gives up after
// k_gate_limit_ms and goes on, so a broken test never hangs.
void wait_for_gate(const std::string& path) {
  for (std::int64_t waited = 0; waited < k_gate_limit_ms; waited += k_gate_poll_ms) {
    if (::access(path.c_str(), F_OK) == 0 || stopping()) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(k_gate_poll_ms));
  }
}

// Runs a whole event stream in one call of the content provider. Returns
// false to make httplib drop the connection without the final chunk.
bool run_stream(const response_spec& spec, const request_info& info, httplib::DataSink& sink) {
  sse_writer out(sink, spec.pace_ms, info.bedrock);
  if (spec.preamble && info.openai) {
    if (!out.data(dump(openai_chunk(
            info, {{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}, nullptr)))) {
      return false;
    }
  } else if (spec.preamble) {
    ordered start = message_json(info, ordered::array(), nullptr, 1);
    if (!out.event("message_start", {{"type", "message_start"}, {"message", std::move(start)}}) ||
        !out.event("content_block_start", {{"type", "content_block_start"},
                                           {"index", 0},
                                           {"content_block", {{"type", "text"}, {"text", ""}}}})) {
      return false;
    }
  }
  if (spec.ping &&
      !(info.openai ? out.raw(": keep-alive\n\n") : out.event("ping", {{"type", "ping"}}))) {
    return false;
  }

  std::int64_t sent = 0;
  std::uint64_t text_bytes = 0;
  for (;;) {
    const bool more = spec.stream_bytes ? text_bytes < *spec.stream_bytes
                                        : static_cast<std::size_t>(sent) < spec.deltas.size();
    // A hook fires once `sent` deltas are out; a count beyond the last
    // delta fires at the end, after all of them.
    auto due = [&](const std::optional<std::int64_t>& after) {
      return after && (*after == sent || (!more && *after > sent));
    };
    if (due(spec.error_after) && info.openai) {
      // OpenAI reports a failure mid-stream as a data event with an
      // "error" object, then ends the response.
      if (!out.data(dump(openai_error_json(spec, 500))) || !out.flush()) {
        return false;
      }
      sink.done();
      return true;
    }
    if (due(spec.error_after) && info.bedrock) {
      // Bedrock reports a failure mid-stream in an exception frame.
      if (!out.raw(bedrock_exception_frame(
              spec.error_type.value_or("modelStreamErrorException"),
              spec.error_message.value_or("mock: the model stream failed"))) ||
          !out.flush()) {
        return false;
      }
      sink.done();
      return true;
    }
    if (due(spec.corrupt_after) || due(spec.truncate_after)) {
      const std::string stop = dump({{"type", "message_stop"}});
      const std::string bad = due(spec.corrupt_after) ? bedrock_corrupt_frame(stop)
                                                      : bedrock_chunk_frame(stop).substr(0, 20);
      if (!out.raw(bad) || !out.flush()) {
        return false;
      }
      sink.done();
      return true;
    }
    if (due(spec.error_after)) {
      const error_kind fallback = error_for_status(529);
      if (!out.event("error", error_json(spec.error_type.value_or(fallback.type),
                                         spec.error_message.value_or(fallback.message))) ||
          !out.flush()) {
        return false;
      }
      sink.done();
      return true;
    }
    if (due(spec.drop_after)) {
      out.flush();
      return false;
    }
    if (due(spec.stall_after)) {
      out.flush();
      pause_for(spec.stall_ms);
      return false;
    }
    if (!more) {
      break;
    }
    if (spec.ping && sent > 0 &&
        (!out.raw(": keep-alive\n\n") ||
         (!info.openai && !out.event("ping", {{"type", "ping"}})))) {
      return false;
    }
    bool ok = true;
    if (spec.stream_bytes) {
      const std::size_t len = static_cast<std::size_t>(
          std::min<std::uint64_t>(spec.delta_size, *spec.stream_bytes - text_bytes));
      ok = out.filler_delta(text_bytes, len, info);
      text_bytes += len;
    } else {
      const std::string& text = spec.deltas[static_cast<std::size_t>(sent)];
      ok = info.openai ? out.data(dump(openai_chunk(info, {{"content", text}}, nullptr)))
                       : out.event("content_block_delta",
                                   {{"type", "content_block_delta"},
                                    {"index", 0},
                                    {"delta", {{"type", "text_delta"}, {"text", text}}}});
      text_bytes += text.size();
    }
    if (!ok) {
      return false;
    }
    ++sent;
    if (sent == 1 && !spec.gate_file.empty()) {
      if (!out.flush()) {
        return false;
      }
      wait_for_gate(spec.gate_file);
    }
  }

  if (info.openai) {
    if (!out.data(dump(openai_chunk(info, ordered::object(), "stop"))) || !out.data("[DONE]") ||
        !out.flush()) {
      return false;
    }
    sink.done();
    return true;
  }
  if (!out.event("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}) ||
      !out.event("message_delta",
                 {{"type", "message_delta"},
                  {"delta", {{"stop_reason", "end_turn"}, {"stop_sequence", nullptr}}},
                  {"usage", {{"output_tokens", tokens_for(text_bytes)}}}}) ||
      !out.event("message_stop", {{"type", "message_stop"}}) || !out.flush()) {
    return false;
  }
  sink.done();
  return true;
}

// Raw chunks, sent one by one: lets a test split an event across reads.
void answer_chunks(const response_spec& spec, const std::string& content_type,
                   httplib::Response& res) {
  res.set_chunked_content_provider(content_type, [&spec](std::size_t, httplib::DataSink& sink) {
    sse_writer out(sink, spec.pace_ms);
    for (const std::string& chunk : *spec.chunks) {
      if (!out.begin_event() || !out.raw(chunk) || !out.flush()) {
        return false;
      }
    }
    sink.done();
    return true;
  });
}

// A blocking answer of stream_bytes filler bytes, generated as it is sent.
void answer_huge_message(const response_spec& spec, const request_info& info,
                         httplib::Response& res) {
  const ordered content = ordered::array({ordered{{"type", "text"}, {"text", k_placeholder}}});
  const std::string whole =
      info.openai ? dump(openai_completion(info, std::string(k_placeholder)))
                  : dump(message_json(info, content, "end_turn", tokens_for(*spec.stream_bytes)));
  const std::size_t cut = whole.find(k_placeholder);
  std::string head = whole.substr(0, cut);
  std::string tail = whole.substr(cut + k_placeholder.size());
  const std::uint64_t total = *spec.stream_bytes;
  res.set_chunked_content_provider(spec.content_type.value_or("application/json"),
                                   [head = std::move(head), tail = std::move(tail),
                                    total](std::size_t, httplib::DataSink& sink) {
                                     sse_writer out(sink, 0);
                                     if (!out.raw(head)) {
                                       return false;
                                     }
                                     std::string piece;
                                     for (std::uint64_t offset = 0; offset < total;) {
                                       const std::size_t take = static_cast<std::size_t>(
                                           std::min<std::uint64_t>(k_filler_piece, total - offset));
                                       piece.clear();
                                       append_filler(piece, offset, take);
                                       if (stopping() || !out.raw(piece)) {
                                         return false;
                                       }
                                       offset += take;
                                     }
                                     if (!out.raw(tail) || !out.flush()) {
                                       return false;
                                     }
                                     sink.done();
                                     return true;
                                   });
}

// A blocking body announced in full by content-length, of which only the
// first drop_after / stall_after bytes are sent before the connection ends.
void answer_truncated(const response_spec& spec, std::string body, const std::string& content_type,
                      httplib::Response& res) {
  const std::size_t length = body.size();
  res.set_content_provider(
      length, content_type,
      [&spec, body = std::move(body)](std::size_t offset, std::size_t, httplib::DataSink& sink) {
        const std::int64_t limit = spec.drop_after ? *spec.drop_after : *spec.stall_after;
        const std::size_t keep = std::min(body.size(), static_cast<std::size_t>(limit));
        if (offset < keep && !sink.write(body.data() + offset, keep - offset)) {
          return false;
        }
        if (keep == body.size()) {
          return true;
        }
        if (!spec.drop_after) {
          pause_for(spec.stall_ms);
        }
        return false;
      });
}

} // namespace

void request_stop() { g_stopping = true; }

bool stopping() { return g_stopping; }

bool pause_for(std::int64_t ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!stopping()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= end) {
      return true;
    }
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        end - now, std::chrono::milliseconds(k_stop_poll_ms)));
  }
  return false;
}

namespace {

// The Anthropic error body of a scripted failure; error_code, when given,
// goes in error.details.error_code.
ordered anthropic_error(const response_spec& spec) {
  const error_kind kind = error_for_status(spec.status);
  ordered error =
      error_json(spec.error_type.value_or(kind.type), spec.error_message.value_or(kind.message));
  if (spec.error_code) {
    error["error"]["details"] = ordered{{"error_code", *spec.error_code}};
  }
  return error;
}

} // namespace

void answer_models(const response_spec& spec, bool openai, httplib::Response& res) {
  if (spec.delay_ms > 0) {
    pause_for(spec.delay_ms);
  }
  res.status = spec.status;
  for (const auto& [name, value] : spec.headers) {
    res.headers.erase(name);
    res.set_header(name, value);
  }
  if (spec.body) {
    res.set_content(*spec.body, spec.content_type.value_or("application/json"));
    return;
  }
  if (spec.status < 200 || spec.status >= 300) {
    if (openai) {
      res.set_content(dump(openai_error_json(spec, spec.status)), "application/json");
    } else {
      res.set_content(dump(anthropic_error(spec)), "application/json");
    }
    return;
  }
  // The shape of GET /v1/models?limit=1, and of OpenAI's GET /v1/models.
  const ordered body =
      openai ? ordered{{"object", "list"},
                       {"data", ordered::array({ordered{{"id", "gpt-4o-mini"},
                                                        {"object", "model"},
                                                        {"created", 1721172741},
                                                        {"owned_by", "system"}}})}}
             : ordered{{"data", ordered::array({ordered{{"type", "model"},
                                                        {"id", "claude-sonnet-4-5"},
                                                        {"display_name", "Claude Sonnet 4.5"},
                                                        {"created_at", "2025-09-29T00:00:00Z"}}})},
                       {"has_more", true},
                       {"first_id", "claude-sonnet-4-5"},
                       {"last_id", "claude-sonnet-4-5"}};
  if (spec.drop_after || spec.stall_after) {
    // A list cut off after N bytes: a probe whose 200 never completed.
    answer_truncated(spec, dump(body), "application/json", res);
    return;
  }
  res.set_content(dump(body), "application/json");
}

void answer(const response_spec& spec, const request_info& info, httplib::Response& res) {
  if (spec.delay_ms > 0) {
    pause_for(spec.delay_ms);
  }
  if (!spec.gate_file.empty() && (spec.status < 200 || spec.status >= 300)) {
    // An error answer held until the test says (a race decided by the test,
    // not by a delay a loaded machine may outlast).
    wait_for_gate(spec.gate_file);
  }
  res.status = spec.status;
  for (const auto& [name, value] : spec.headers) {
    // A scripted header replaces one the mock set (request-id), rather
    // than being sent next to it; the header map ignores case.
    res.headers.erase(name);
    res.set_header(name, value);
  }
  const bool success = spec.status >= 200 && spec.status < 300;

  if (spec.body) {
    res.set_content(*spec.body, spec.content_type.value_or("application/json"));
    return;
  }
  if (spec.chunks) {
    answer_chunks(
        spec, spec.content_type.value_or(info.stream ? "text/event-stream" : "application/json"),
        res);
    return;
  }
  if (!success && info.bedrock) {
    answer_bedrock_error(spec, res);
    return;
  }
  if (!success && info.openai) {
    res.set_content(dump(openai_error_json(spec, spec.status)),
                    spec.content_type.value_or("application/json"));
    return;
  }
  if (!success) {
    res.set_content(dump(anthropic_error(spec)), spec.content_type.value_or("application/json"));
    return;
  }
  if (info.stream) {
    res.set_header("cache-control", "no-cache");
    res.set_chunked_content_provider(
        spec.content_type.value_or(info.bedrock ? "application/vnd.amazon.eventstream"
                                                : "text/event-stream"),
        [&spec, info](std::size_t, httplib::DataSink& sink) {
          return run_stream(spec, info, sink);
        });
    return;
  }
  if (spec.stream_bytes) {
    answer_huge_message(spec, info, res);
    return;
  }
  const ordered content = ordered::array({ordered{{"type", "text"}, {"text", spec.text}}});
  std::string body =
      info.openai ? dump(openai_completion(info, spec.text))
                  : dump(message_json(info, content, "end_turn", tokens_for(spec.text.size())));
  const std::string content_type = spec.content_type.value_or("application/json");
  if (spec.drop_after || spec.stall_after) {
    answer_truncated(spec, std::move(body), content_type, res);
    return;
  }
  res.set_content(body, content_type);
}

} // namespace mock
