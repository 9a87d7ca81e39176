// Differential fuzzing of the stream's delta reader: decode_text_delta
// (simdjson On-Demand) must agree with the full nlohmann::json path on every
// input, both on the kind and on the decoded text (the rule of
// text_delta.hpp: simdjson decides only what it accepts).
#include "upstream/text_delta.hpp"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string fast_text;
  std::string slow_text;
  auto fast = upstream::decode_text_delta(text, fast_text);
  auto slow = upstream::decode_text_delta_slow(text, slow_text);
  if (fast != slow || (fast == upstream::DeltaKind::text && fast_text != slow_text)) {
    std::abort();
  }
  // append_text_delta adds exactly that text to what is there, or nothing.
  std::string out = "prefix:";
  auto appended = upstream::append_text_delta(text, out);
  std::string expected =
      "prefix:" + (slow == upstream::DeltaKind::text ? slow_text : std::string());
  if (appended != slow || out != expected) {
    std::abort();
  }
  return 0;
}
