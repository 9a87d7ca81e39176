#include "keys/label.hpp"

#include <fmt/format.h>

namespace keys {

namespace {

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool in_run(char c) { return is_upper(c) || is_lower(c) || is_digit(c) || c == '-' || c == '_'; }

// How many words (label.hpp) `segment` (no '-' or '_' in it) is made of.
std::size_t word_count(std::string_view segment) {
  std::size_t words = 0;
  for (std::size_t i = 0; i < segment.size(); ++words) {
    std::size_t j = i + 1;
    if (is_digit(segment[i])) {
      while (j < segment.size() && is_digit(segment[j])) {
        ++j;
      }
    } else if (is_lower(segment[i])) {
      while (j < segment.size() && is_lower(segment[j])) {
        ++j;
      }
    } else {
      while (j < segment.size() && is_upper(segment[j])) {
        ++j;
      }
      if (j < segment.size() && is_lower(segment[j])) {
        if (j - i > 1) {
          --j; // "HTTPServer": HTTP, then Server
        } else {
          while (j < segment.size() && is_lower(segment[j])) { // "Key"
            ++j;
          }
        }
      }
    }
    i = j;
  }
  return words;
}

// Whether the words of `run` (label.hpp) are too short for a name. Only
// segments between separators that hold two words or more count: a piece
// that is one word ("eu", "4", "a" in claude-opus-4-1-team-a) is a name's
// part, chosen on purpose, however short.
bool reads_as_random(std::string_view run) {
  std::size_t words = 0;
  std::size_t characters = 0;
  for (std::size_t i = 0; i < run.size();) {
    std::size_t j = i;
    while (j < run.size() && run[j] != '-' && run[j] != '_') {
      ++j;
    }
    if (std::size_t count = word_count(run.substr(i, j - i)); count >= 2) {
      words += count;
      characters += j - i;
    }
    i = j + 1;
  }
  if (characters < 12) {
    return false; // too little to judge: mostly one-word pieces
  }
  // Average under 2.8 (under 4 for a run of 32 or more), in whole numbers.
  return run.size() >= 32 ? characters < 4 * words : 5 * characters < 14 * words;
}

} // namespace

bool secret_like_run(std::string_view label) {
  for (std::size_t i = 0; i < label.size();) {
    if (!in_run(label[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < label.size() && in_run(label[j])) {
      ++j;
    }
    if (j - i >= 20 && reads_as_random(label.substr(i, j - i))) {
      return true;
    }
    i = j;
  }
  return false;
}

std::string label_problem(std::string_view label) {
  if (label.size() >= 3 && (label.substr(0, 3) == "sk-" || label.substr(0, 3) == "SK-")) {
    return "the label starts with 'sk-' like a key (a key never contains white space: is this a "
           "key split in two?)";
  }
  if (label.find('=') != std::string_view::npos) {
    return "the label contains '=' (labels are names such as 'primary' or 'ci-eu-1')";
  }
  if (label.size() > k_max_label_length) {
    return fmt::format("the label is longer than {} characters", k_max_label_length);
  }
  if (secret_like_run(label)) {
    return "the label looks like a secret (a long run of letters and digits that reads as "
           "random rather than as words; is a key in the label's place?)";
  }
  return {};
}

} // namespace keys
