// Feeds arbitrary header blocks (a client's request, or an upstream's
// answer) to the listener's header rules (app/listener_http.hpp): they must
// never crash, a credential never survives into what goes upstream, the
// token is recognised only where it is, and framing never goes back.
#include "listener_http.hpp"

#include "util/strings.hpp"

#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto block = upstream::Headers::parse_block(text);
  app::HeaderList headers = block.fields();

  for (const auto& line : app::forwarded_headers(headers)) {
    std::string lower = util::to_lower(line.substr(0, line.find(':')));
    if (lower == "x-api-key" || lower == "authorization" || lower == "host" ||
        lower == "content-length" || lower == "transfer-encoding" || lower == "connection") {
      std::abort();
    }
  }
  for (const auto& [name, value] : app::relayed_headers(block)) {
    std::string lower = util::to_lower(name);
    if (lower == "content-length" || lower == "transfer-encoding" || lower == "connection") {
      std::abort();
    }
  }
  const std::string token = "0123456789abcdef0123456789abcdef";
  bool named = false;
  for (const auto& [name, value] : headers) {
    named = named || value.find(token) != std::string::npos;
  }
  if (app::carries_token(headers, token) && !named) {
    std::abort(); // accepted without the token anywhere in the request
  }
  app::key_bound_path(text.substr(0, text.find('\n')));
  return 0;
}
