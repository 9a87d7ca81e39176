#include "upstream/base64.hpp"

#include <openssl/evp.h>

#include <climits>
#include <vector>

namespace upstream {

std::string base64_encode(std::string_view bytes) {
  if (bytes.size() > INT_MAX / 2) {
    return {};
  }
  std::vector<unsigned char> out(4 * ((bytes.size() + 2) / 3) + 1);
  int length = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                               static_cast<int>(bytes.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(length));
}

std::optional<std::string> base64_decode(std::string_view text) {
  // EVP_DecodeBlock skips white space at either end and counts padding as
  // zero bytes; bridge wants exactly the encoded form.
  if (text.size() % 4 != 0 || text.size() > INT_MAX / 2) {
    return std::nullopt;
  }
  if (text.empty()) {
    return std::string();
  }
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  if (space(text.front()) || space(text.back())) {
    return std::nullopt;
  }
  std::size_t padding = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
  if (text.substr(0, text.size() - padding).find('=') != std::string_view::npos) {
    return std::nullopt;
  }
  std::vector<unsigned char> out(3 * (text.size() / 4) + 1);
  int length = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                               static_cast<int>(text.size()));
  if (length < 0 || static_cast<std::size_t>(length) < padding) {
    return std::nullopt;
  }
  return std::string(reinterpret_cast<const char*>(out.data()),
                     static_cast<std::size_t>(length) - padding);
}

} // namespace upstream
