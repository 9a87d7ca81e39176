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

// How common a byte is in answer text (higher is more common): ASCII
// prose by letter frequency, then capitals, digits and frequent punctuation.
// Bytes not listed (most punctuation, control and non-ASCII bytes) score 0,
// the rarest.
std::size_t commonness(char c) {
  static constexpr std::string_view k_by_frequency =
      " etaoinsrhldcumfpgwybvkxjqz.,ETAOINSRHLDCUMFPGWYBVKXJQZ0123456789\n'\"";
  std::size_t rank = k_by_frequency.find(c);
  return rank == std::string_view::npos ? 0 : k_by_frequency.size() - rank;
}

std::size_t rarest_byte(std::string_view bytes) {
  std::size_t pivot = 0;
  for (std::size_t i = 1; i < bytes.size(); ++i) {
    if (commonness(bytes[i]) < commonness(bytes[pivot])) {
      pivot = i;
    }
  }
  return pivot;
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
  std::string anchor = secret.substr(0, k_anchor_size);
  group->by_hash.emplace(hash, Secret{std::move(secret), std::move(replacement)});
  ++m_count;
  m_shortest = m_count == 1 ? group->length : std::min(m_shortest, group->length);
  if (!m_anchored) {
    return;
  }
  if (anchor.size() < k_anchor_size) {
    m_anchored = false;
    return;
  }
  auto index = static_cast<std::size_t>(group - m_groups.begin());
  auto known = std::find_if(m_anchors.begin(), m_anchors.end(),
                            [&](const Anchor& a) { return a.bytes == anchor; });
  if (known == m_anchors.end()) {
    if (m_anchors.size() == k_max_anchors) {
      m_anchored = false;
      return;
    }
    std::size_t pivot = rarest_byte(anchor);
    m_anchors.push_back(Anchor{std::move(anchor), pivot, {}});
    known = m_anchors.end() - 1;
  }
  if (std::find(known->groups.begin(), known->groups.end(), index) == known->groups.end()) {
    known->groups.push_back(index);
  }
}

const Redactor::Secret* Redactor::secret_at(const Group& group, std::string_view text,
                                            std::size_t position) {
  if (position + group.length > text.size()) {
    return nullptr;
  }
  std::string_view candidate = text.substr(position, group.length);
  auto [first, last] = group.by_hash.equal_range(hash_of(candidate));
  for (auto it = first; it != last; ++it) {
    if (candidate == it->second.text) {
      return &it->second;
    }
  }
  return nullptr;
}

void Redactor::anchored_matches(std::string_view text, std::vector<Match>& found) const {
  for (const Anchor& anchor : m_anchors) {
    char pivot = anchor.bytes[anchor.pivot];
    for (std::size_t hit = text.find(pivot, anchor.pivot); hit != std::string_view::npos;
         hit = text.find(pivot, hit + 1)) {
      std::size_t position = hit - anchor.pivot;
      if (text.compare(position, anchor.bytes.size(), anchor.bytes) != 0) {
        continue;
      }
      for (std::size_t index : anchor.groups) {
        const Group& group = m_groups[index];
        if (const Secret* secret = secret_at(group, text, position)) {
          found.push_back(Match{position, group.length, &secret->replacement});
        }
      }
    }
  }
}

std::vector<Redactor::Match> Redactor::matches(std::string_view text) const {
  std::vector<Match> found;
  if (text.size() < m_shortest) {
    return found; // a stream's small deltas: no secret fits
  }
  if (m_anchored) {
    anchored_matches(text, found);
  } else {
    rolling_matches(text, found);
  }
  std::sort(found.begin(), found.end(), [](const Match& a, const Match& b) {
    return a.position != b.position ? a.position < b.position : a.length > b.length;
  });
  return found;
}

void Redactor::rolling_matches(std::string_view text, std::vector<Match>& found) const {
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

std::string_view Redactor::apply(std::string_view text, std::string& storage) const {
  if (m_count == 0) {
    return text;
  }
  auto found = matches(text);
  if (found.empty()) {
    return text;
  }
  storage = replaced(text, found);
  return storage;
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
