#include "keys/key_file.hpp"

#include "keys/fingerprint.hpp"

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
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

// A shell assignment, NAME=value: a line pasted from an .env file or a
// script (`ANTHROPIC_API_KEY=sk-...`), not a key.
bool is_assignment(std::string_view field) {
  auto equals = field.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    return false;
  }
  for (std::size_t i = 0; i < equals; ++i) {
    char c = field[i];
    bool ok = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) {
      return false;
    }
  }
  return true;
}

// A field in quotes ("sk-ant-...", 'primary'): copied from a shell script,
// a .env file or JSON. No key or label begins or ends with a quote, and a
// quoted key would be sent with its quotes, refused, and disabled.
bool is_quoted(std::string_view field) {
  auto quote = [](char c) { return c == '"' || c == '\'' || c == '`'; };
  return !field.empty() && (quote(field.front()) || quote(field.back()));
}

// A line of JSON ({"label": ..., "key": ...}, or the brackets and braces of
// a pretty-printed array): no key or label begins with a brace or bracket.
bool is_json_line(std::string_view line) {
  char first = line.front();
  return first == '{' || first == '[' || first == '}' || first == ']';
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
    // A '#' after white space starts a comment: a key and a label never
    // contain white space, so "backup sk-... # spare" cannot be misread.
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '#' && (line[i - 1] == ' ' || line[i - 1] == '\t')) {
        line = util::trim(line.substr(0, i));
        break;
      }
    }
    if (is_json_line(line)) {
      throw Error(ExitCode::config,
                  fmt::format("{}:{}: this line is JSON, not KEY or LABEL KEY; a key file holds "
                              "one key a line, without quotes or braces (for {{\"label\": "
                              "\"primary\", \"key\": \"sk-...\"}} write: primary sk-...)",
                              path, line_number));
    }
    auto fields = util::split_fields(line);
    for (auto field : fields) {
      if (is_assignment(field)) {
        throw Error(ExitCode::config,
                    fmt::format("{}:{}: this line looks like a shell assignment (NAME=value), not "
                                "KEY or LABEL KEY; write the key alone, or a label and the key",
                                path, line_number));
      }
    }
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (is_quoted(fields[i])) {
        bool key = i + 1 == fields.size() && fields.size() <= 2;
        throw Error(ExitCode::config,
                    fmt::format("{}:{}: the {} is in quotes; write it without them (LABEL KEY, "
                                "as in: primary sk-...){}",
                                path, line_number, key ? "key" : "label",
                                key ? ": the quotes would be sent as part of the key" : ""));
      }
    }
    if (fields.size() > 2) {
      throw Error(ExitCode::config,
                  fmt::format("{}:{}: a line must be KEY or LABEL KEY, but this one has {} fields",
                              path, line_number, fields.size()));
    }
    if (fields.size() == 2) {
      if (auto problem = label_problem(fields[0]); !problem.empty()) {
        throw Error(ExitCode::config, fmt::format("{}:{}: {}", path, line_number, problem));
      }
    }
    std::string_view secret = fields.back();
    std::string label =
        fields.size() == 2 ? std::string(fields[0]) : fmt::format("key-{}", keys.size() + 1);
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
    // The fingerprints are made for the whole file at once, below.
    keys.push_back(Key{std::move(label), std::string(secret), key_hint(secret), {}, line_number});
  }
  if (keys.empty()) {
    throw Error(
        ExitCode::config,
        fmt::format("{}: no keys in the key file; add one per line as KEY or LABEL KEY", path));
  }
  fingerprint_keys(keys);
  return keys;
}

std::vector<Key> load_key_file(const std::string& path, std::vector<std::string>& warnings,
                               std::string_view advice) {
  auto content = util::read_small_file(path, k_max_key_file_size);
  if (!content) {
    throw Error(ExitCode::config,
                fmt::format("cannot read key file {}: {}; create it with one key per line "
                            "(LABEL KEY) and mode 0600{}",
                            path, content.error(), advice));
  }
  check_key_file_permissions(path, content->mode, content->owner, warnings);
  return parse_key_file(content->data, path);
}

void check_key_file_permissions(const std::string& path, mode_t mode, uid_t owner,
                                std::vector<std::string>& warnings) {
  // Whoever can write the file chooses where our requests go with which key
  // (or swaps in their own key to read our prompts); a file of another user
  // is theirs to change, and advice to chmod it would be useless. Both are
  // refused, as ssh refuses such files. Reading by others only warns: the
  // keys may be shared on purpose.
  if (owner != ::geteuid() && owner != 0) {
    throw Error(ExitCode::config,
                fmt::format("key file {} belongs to another user (uid {}); only a file of your "
                            "own (or root's) is used: copy it to a file of yours with mode 0600",
                            path, owner));
  }
  if ((mode & (S_IWGRP | S_IWOTH)) != 0) {
    throw Error(ExitCode::config,
                fmt::format("key file {} is writable by group or others (mode {:04o}); "
                            "run: chmod 600 {}",
                            path, mode & 07777, path));
  }
  if ((mode & (S_IRGRP | S_IROTH)) != 0) {
    warnings.push_back(fmt::format("key file {} is readable by group or others (mode {:04o}); "
                                   "run: chmod 600 {}",
                                   path, mode & 07777, path));
  }
}

} // namespace keys
