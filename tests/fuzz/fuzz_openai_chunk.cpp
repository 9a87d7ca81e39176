// Differential fuzzing of the OpenAI stream's chunk reader: append_openai_chunk
// (simdjson On-Demand) must agree with the full nlohmann::json path on every
// input, on the kind and on the text it appends (the rule of openai_chunk.hpp).
#include "upstream/openai_chunk.hpp"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string slow_text;
  auto slow = upstream::decode_openai_chunk_slow(text, slow_text);
  std::string out = "prefix:";
  auto fast = upstream::append_openai_chunk(text, out);
  std::string expected =
      "prefix:" + (slow == upstream::ChunkKind::text ? slow_text : std::string());
  if (fast != slow || out != expected) {
    std::abort();
  }
  return 0;
}
