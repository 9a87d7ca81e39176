// Feeds arbitrary text to the Go duration reader (OpenAI's
// x-ratelimit-reset-* headers): it must never crash, and what it accepts is
// never negative and never beyond Go's own limit (2^63 - 1 ns, in whole
// milliseconds rounded up). A duration that parses keeps parsing, to the
// same value, when a "0s" part is appended, as Go's grammar allows.
#include "util/go_duration.hpp"

#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = util::parse_go_duration(text);
  if (!parsed) {
    return 0;
  }
  constexpr long long k_limit_ms = 9'223'372'036'855;
  if (parsed->count() < 0 || parsed->count() > k_limit_ms) {
    std::abort();
  }
  if (text != "0" && text != "+0") {
    auto longer = util::parse_go_duration(std::string(text) + "0s");
    if (!longer || *longer != *parsed) {
      std::abort();
    }
  }
  return 0;
}
