// Differential fuzzing of the blocking answer's readers: for both providers,
// the simdjson On-Demand path must give exactly the answer of the full
// nlohmann::json path on every input (answer_text.hpp's rule).
#include "upstream/answer_text.hpp"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  if (upstream::anthropic_answer_text(body) != upstream::anthropic_answer_text_slow(body)) {
    std::abort();
  }
  if (upstream::openai_answer_text(body) != upstream::openai_answer_text_slow(body)) {
    std::abort();
  }
  return 0;
}
