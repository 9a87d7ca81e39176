// Turns a scripted response_spec into an HTTP answer shaped like the real
// Anthropic Messages API, or like the OpenAI Chat Completions API for a
// request to /v1/chat/completions: blocking JSON, server-sent events, or
// errors.
#pragma once

#include <cstdint>
#include <string>

#include <httplib.h>
#include <optional>

#include "mock_script.hpp"

namespace mock {

// What the answer needs to know about the request it answers.
struct request_info {
  std::uint64_t number = 0;   // request number, used for ids
  std::string model;          // echoed back as the real API does
  bool stream = false;        // the request body had "stream": true
  std::size_t body_bytes = 0; // for a plausible input_tokens figure
  bool openai = false;        // answer in the Chat Completions shape
  bool bedrock = false;       // Amazon Bedrock: event-stream frames, x-amzn-ErrorType errors
  // The prompt cache (Anthropic route): the prompt prefix's size, and
  // whether this key answered the same prefix before (usage then reports
  // cache_read_input_tokens, else cache_creation_input_tokens).
  std::size_t prefix_bytes = 0;
  std::size_t prefix_hash = 0;
  std::optional<bool> cache_hit;
};

// Fills `res`. `spec` must outlive the response (it lives in the script).
void answer(const response_spec& spec, const request_info& info, httplib::Response& res);

// GET /v1/models: the spec's status and headers; a success lists one model
// in the provider's shape, an error is the provider's error body.
void answer_models(const response_spec& spec, bool openai, httplib::Response& res);

// Asked once on SIGTERM/SIGINT; every sleep and wait in a response checks it
// so that a stalled stream cannot keep the mock alive.
void request_stop();
bool stopping();

// Sleeps `ms`, waking every few milliseconds to check stopping().
// Returns false when the mock is stopping.
bool pause_for(std::int64_t ms);

} // namespace mock
