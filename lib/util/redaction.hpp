#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace util {

// Replaces known secrets in text that came from elsewhere (an upstream's
// error message that quotes the credential it was sent) before that text is
// shown or stored. Only whole secrets, byte for byte, are found: a secret cut
// in two, re-encoded or reversed by the sender is not.
//
// The cost is one pass over the text per distinct secret length (a rolling
// hash), so a pool of ten thousand keys costs no more than a few keys, and a
// body of many megabytes stays linear.
class Redactor {
public:
  // Adds a secret and what stands in its place. An empty secret is ignored;
  // a secret added twice keeps its first replacement.
  void add(std::string secret, std::string replacement);
  bool empty() const { return m_count == 0; }

  // `text` with every occurrence of every secret replaced. Where two
  // secrets start at the same byte the longer wins; text that was replaced
  // is not searched again.
  std::string apply(std::string_view text) const;
  // The same, in place; leaves `text` untouched (no copy) when no secret
  // occurs in it.
  void apply_in_place(std::string& text) const;

private:
  struct Secret {
    std::string text;
    std::string replacement;
  };
  // The secrets of one length, by their rolling hash.
  struct Group {
    std::size_t length = 0;
    std::uint64_t top_power = 1; // k_base^(length - 1)
    std::unordered_multimap<std::uint64_t, Secret> by_hash;
  };
  struct Match {
    std::size_t position;
    std::size_t length;
    const std::string* replacement;
  };
  std::vector<Match> matches(std::string_view text) const;
  static std::string replaced(std::string_view text, const std::vector<Match>& found);

  std::vector<Group> m_groups;
  std::size_t m_count = 0;
};

} // namespace util
