#include "upstream/headers.hpp"

#include "util/strings.hpp"

namespace upstream {

void Headers::add(std::string name, std::string value) {
  m_fields.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (auto it = m_fields.rbegin(); it != m_fields.rend(); ++it) {
    if (util::iequals(it->first, name)) {
      return std::string_view(it->second);
    }
  }
  return std::nullopt;
}

void Headers::add_line(std::string_view line) {
  line = util::trim(line);
  if (util::starts_with_ci(line, "HTTP/")) {
    clear(); // a new response begins: forget the previous one
    return;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return; // blank separator lines and anything malformed
  }
  auto name = util::trim(line.substr(0, colon));
  if (name.empty() || name.find_first_of(" \t") != std::string_view::npos) {
    return;
  }
  add(std::string(name), std::string(util::trim(line.substr(colon + 1))));
}

Headers Headers::parse_block(std::string_view block) {
  Headers headers;
  while (!block.empty()) {
    auto end = block.find('\n');
    headers.add_line(block.substr(0, end));
    block = end == std::string_view::npos ? std::string_view{} : block.substr(end + 1);
  }
  return headers;
}

} // namespace upstream
