#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace upstream {

// Response headers in the order received. Names compare case-insensitively;
// when a name repeats, the last value wins (as for a single-valued header).
class Headers {
public:
  void add(std::string name, std::string value);
  void clear() { m_fields.clear(); }
  std::optional<std::string_view> get(std::string_view name) const;
  bool empty() const { return m_fields.empty(); }
  const std::vector<std::pair<std::string, std::string>>& fields() const { return m_fields; }

  // Reads a raw header block as `curl -sD -` prints it: status lines, then
  // "Name: value" lines, CRLF or LF. When several responses follow each other
  // (a 100 Continue, a proxy CONNECT, redirects), only the last one counts.
  static Headers parse_block(std::string_view block);

  // Takes one line of a header block (its line end optional): a status line
  // starts a new response and forgets the fields so far; "Name: value" adds
  // a field; anything else is ignored.
  void add_line(std::string_view line);

private:
  std::vector<std::pair<std::string, std::string>> m_fields;
};

} // namespace upstream
