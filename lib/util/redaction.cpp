#include "util/redaction.hpp"

#include <algorithm>

namespace util {

namespace {

// An odd multiplier (the 64-bit FNV prime); arithmetic is modulo 2^64. A hash
// hit is always confirmed byte by byte, so a collision costs time, never a
// wrong replacement.
constexpr std::uint64_t k_base = 1099511628211ULL;

std::uint64_t hash_of(std::string_view text) {
  std::uint64_t hash = 0;
  for (char c : text) {
    hash = hash * k_base + static_cast<unsigned char>(c);
  }
  return hash;
}

} // namespace

void Redactor::add(std::string secret, std::string replacement) {
  if (secret.empty()) {
    return;
  }
  auto group = std::find_if(m_groups.begin(), m_groups.end(),
                            [&](const Group& g) { return g.length == secret.size(); });
  if (group == m_groups.end()) {
    Group fresh;
    fresh.length = secret.size();
    for (std::size_t i = 1; i < fresh.length; ++i) {
      fresh.top_power *= k_base;
    }
    m_groups.push_back(std::move(fresh));
    group = m_groups.end() - 1;
  }
  std::uint64_t hash = hash_of(secret);
  auto [first, last] = group->by_hash.equal_range(hash);
  for (auto it = first; it != last; ++it) {
    if (it->second.text == secret) {
      return;
    }
  }
  group->by_hash.emplace(hash, Secret{std::move(secret), std::move(replacement)});
  ++m_count;
}

std::vector<Redactor::Match> Redactor::matches(std::string_view text) const {
  std::vector<Match> found;
  for (const Group& group : m_groups) {
    std::size_t length = group.length;
    if (text.size() < length) {
      continue;
    }
    std::uint64_t hash = hash_of(text.substr(0, length));
    for (std::size_t position = 0;; ++position) {
      auto [first, last] = group.by_hash.equal_range(hash);
      for (auto it = first; it != last; ++it) {
        if (text.compare(position, length, it->second.text) == 0) {
          found.push_back(Match{position, length, &it->second.replacement});
          break;
        }
      }
      if (position + length >= text.size()) {
        break;
      }
      auto out = static_cast<unsigned char>(text[position]);
      auto in = static_cast<unsigned char>(text[position + length]);
      hash = (hash - out * group.top_power) * k_base + in;
    }
  }
  std::sort(found.begin(), found.end(), [](const Match& a, const Match& b) {
    return a.position != b.position ? a.position < b.position : a.length > b.length;
  });
  return found;
}

std::string Redactor::replaced(std::string_view text, const std::vector<Match>& found) {
  std::string out;
  std::size_t cursor = 0;
  for (const Match& match : found) {
    if (match.position < cursor) {
      continue; // inside text already replaced
    }
    out.append(text.substr(cursor, match.position - cursor));
    out.append(*match.replacement);
    cursor = match.position + match.length;
  }
  out.append(text.substr(cursor));
  return out;
}

std::string Redactor::apply(std::string_view text) const {
  if (m_count == 0) {
    return std::string(text);
  }
  return replaced(text, matches(text));
}

void Redactor::apply_in_place(std::string& text) const {
  if (m_count == 0) {
    return;
  }
  auto found = matches(text);
  if (!found.empty()) {
    text = replaced(text, found);
  }
}

} // namespace util
