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
// Secrets usually share a few leading bytes ("sk-ant-", "sk-proj-"). While
// the secrets have at most k_max_anchors distinct first four bytes (their
// anchors), the text is searched for the anchors (memchr-fast) and only
// where one occurs are the secrets of each length looked up by hash: a
// stream of megabytes of answer text costs about a byte's compare per byte.
// Otherwise the cost is one rolling-hash pass over the text per distinct
// secret length. Either way a pool of ten thousand keys costs no more than
// a few keys, and a body of many megabytes stays linear.
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
  // The same without a copy where nothing is replaced: `text` itself when
  // no secret occurs in it, else the replaced text, kept in `storage`.
  std::string_view apply(std::string_view text, std::string& storage) const;
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
  // The first bytes of secrets, and the lengths (groups) of the secrets
  // that begin with them.
  static constexpr std::size_t k_anchor_size = 4;
  static constexpr std::size_t k_max_anchors = 8;
  // The text is searched (memchr) for the anchor's least common byte in
  // ordinary text, its pivot ("-" of "sk-a"), rather than its first: prose
  // is full of "s" and nearly free of "-".
  struct Anchor {
    std::string bytes;
    std::size_t pivot = 0;           // index into bytes
    std::vector<std::size_t> groups; // indexes into m_groups
  };

  std::vector<Match> matches(std::string_view text) const;
  void rolling_matches(std::string_view text, std::vector<Match>& found) const;
  void anchored_matches(std::string_view text, std::vector<Match>& found) const;
  // The secret of `group` at `position`, if one is there.
  static const Secret* secret_at(const Group& group, std::string_view text, std::size_t position);
  static std::string replaced(std::string_view text, const std::vector<Match>& found);

  std::vector<Group> m_groups;
  std::vector<Anchor> m_anchors;
  bool m_anchored = true; // false once a secret is shorter than an anchor or anchors are many
  std::size_t m_count = 0;
  std::size_t m_shortest = 0; // length of the shortest secret
};

} // namespace util
