// Feeds arbitrary text to the key file parser (docs/contract.md, keys). It either throws the
// project's configuration error (whose message must not echo a line's
// fields) or returns keys that all have a label, a sendable secret, and
// distinct labels and secrets.
#include "keys/key_file.hpp"
#include "util/error.hpp"

#include <cstdlib>
#include <set>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto keys = keys::parse_key_file(text, "fuzz");
    std::set<std::string> labels;
    std::set<std::string> secrets;
    for (const auto& key : keys) {
      if (key.label.empty() || key.secret.empty() || !labels.insert(key.label).second ||
          !secrets.insert(key.secret).second) {
        std::abort();
      }
      for (char c : key.secret) {
        if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7E) {
          std::abort();
        }
      }
    }
  } catch (const util::Error& error) {
    if (error.code() != util::ExitCode::config) {
      std::abort();
    }
  }
  return 0;
}
