#include "keys/key_file.hpp"

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unordered_map>

namespace keys {

namespace {

using util::Error;
using util::ExitCode;

bool has_control(std::string_view text) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      return true;
    }
  }
  return false;
}

} // namespace

bool is_sendable_secret(std::string_view secret) {
  for (char c : secret) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7E) {
      return false;
    }
  }
  return !secret.empty();
}

std::vector<Key> parse_key_file(std::string_view text, const std::string& path) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    text.remove_prefix(3);
  }
  std::vector<Key> keys;
  std::unordered_map<std::string_view, int> line_of_secret;
  std::unordered_map<std::string, int> line_of_label;
  // Secrets are indexed by views into `text`, which outlives the maps.
  int line_number = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    ++line_number;
    std::string_view line = util::trim(text.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty() || line.front() == '#') {
      continue;
    }
    auto fields = util::split_fields(line);
    if (fields.size() > 2) {
      throw Error(ExitCode::config,
                  fmt::format("{}:{}: a line must be KEY or LABEL KEY, but this one has {} fields",
                              path, line_number, fields.size()));
    }
    std::string_view secret = fields.back();
    std::string label = fields.size() == 2 ? std::string(fields[0])
                                           : fmt::format("key-{}", keys.size() + 1);
    if (!is_sendable_secret(secret)) {
      throw Error(ExitCode::config,
                  fmt::format("{}:{}: the key contains a character that cannot be sent in an "
                              "HTTP header (only visible ASCII is allowed)",
                              path, line_number));
    }
    if (has_control(label)) {
      throw Error(ExitCode::config,
                  fmt::format("{}:{}: the label contains a control character", path, line_number));
    }
    if (auto [it, inserted] = line_of_secret.emplace(secret, line_number); !inserted) {
      throw Error(ExitCode::config,
                  fmt::format("{}: lines {} and {} hold the same key; keep one of them", path,
                              it->second, line_number));
    }
    if (auto [it, inserted] = line_of_label.emplace(label, line_number); !inserted) {
      throw Error(ExitCode::config,
                  fmt::format("{}: lines {} and {} use the same label '{}'; labels must differ",
                              path, it->second, line_number, label));
    }
    keys.push_back(make_key(std::move(label), std::string(secret), line_number));
  }
  if (keys.empty()) {
    throw Error(ExitCode::config,
                fmt::format("{}: no keys in the key file; add one per line as KEY or LABEL KEY",
                            path));
  }
  return keys;
}

std::vector<Key> load_key_file(const std::string& path, std::vector<std::string>& warnings) {
  auto content = util::read_small_file(path, k_max_key_file_size);
  if (!content) {
    throw Error(ExitCode::config,
                fmt::format("cannot read key file {}: {}; create it with one key per line "
                            "(LABEL KEY) and mode 0600, or set ANTHROPIC_API_KEY",
                            path, content.error()));
  }
  if ((content->mode & (S_IRGRP | S_IROTH)) != 0) {
    warnings.push_back(fmt::format("key file {} is readable by group or others (mode {:04o}); "
                                   "run: chmod 600 {}",
                                   path, content->mode & 07777, path));
  }
  return parse_key_file(content->data, path);
}

} // namespace keys
