// Feeds arbitrary header blocks to the Retry-After parser (docs/contract.md, Retry-After): it must
// never crash, and its answer is always within [0, k_max_retry_after].
#include "upstream/retry_after.hpp"

#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto headers = upstream::Headers::parse_block(text);
  util::TimePoint now{util::Millis{1'790'000'000'000}};
  auto delay = upstream::parse_retry_after(headers, now);
  if (delay.count() < 0 || delay > upstream::k_max_retry_after) {
    std::abort();
  }
  return 0;
}
