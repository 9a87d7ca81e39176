#include "argv.hpp"

#include "util/error.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace app {

namespace {

using util::Error;
using util::ExitCode;

bool is_number(const std::string& word) {
  bool digits = false;
  bool dot = false;
  for (char c : word) {
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

// "; did you mean 'NAME'?" for the command of `level` nearest to `word`;
// failing that, the nearest command one level down (`bridge status` ->
// 'keys status'), or "" when none is near.
std::string suggestion(const std::string& word, const CLI::App& level) {
  auto near = nearest_name(word, subcommand_names(level));
  if (!near.empty()) {
    return fmt::format("; did you mean '{}'?", near);
  }
  for (const auto* sub : level.get_subcommands([](const CLI::App*) { return true; })) {
    auto inner = nearest_name(word, subcommand_names(*sub));
    if (!inner.empty() && word.size() > 2) {
      return fmt::format("; did you mean '{} {}'?", sub->get_name(), inner);
    }
  }
  return {};
}

// The option `word` names on `app` (its own, not inherited), or null.
const CLI::Option* own_option(const CLI::App& app, const std::string& word) {
  std::string name = word.substr(0, word.find('='));
  for (const auto* option : app.get_options()) {
    if (option->check_name(name)) {
      return option;
    }
  }
  return nullptr;
}

// The option a word names at `app`: the whole name, or for a single-dash
// word the first letter (`-mclaude`, `-vq`).
const CLI::Option* find_option(const CLI::App& app, const std::string& word) {
  if (const auto* option = own_option(app, word)) {
    return option;
  }
  if (word.size() > 2 && word[0] == '-' && word[1] != '-') {
    return own_option(app, word.substr(0, 2));
  }
  return nullptr;
}

// Whether a word is meant as an option name (`--key`, `-x`, `--key=...`),
// not a prompt word that starts with a dash ("-1 is negative?").
bool looks_like_option(const std::string& word) {
  std::size_t start = word.rfind("--", 0) == 0 ? 2 : 1;
  std::size_t end = word.find('=');
  std::string name = word.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (name.empty() || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'))) {
    return false;
  }
  return name.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") ==
         std::string::npos;
}

std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const auto* option : app.get_options()) {
    for (const auto& name : option->get_lnames()) {
      names.push_back("--" + name);
    }
  }
  return names;
}

// `--name=` with nothing after the '=': CLI11 would take the next word as the
// value (`--key-file= ask` reads a key file named "ask"). Split into the
// name and an empty value, which the option's own check refuses by name.
// Returns whether it split.
bool split_empty_value(std::vector<std::string>& words, std::size_t i, const CLI::Option& option) {
  const std::string& word = words[i];
  if (option.get_items_expected_max() == 0 || word.size() < 4 || word.rfind("--", 0) != 0 ||
      word.back() != '=' || word.find('=') != word.size() - 1) {
    return false;
  }
  words[i].pop_back();
  words.insert(words.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::string());
  return true;
}

// Whether an option takes a value in the next word.
bool takes_value(const CLI::Option& option, const std::string& word) {
  return option.get_items_expected_max() > 0 && word.find('=') == std::string::npos &&
         !(word.size() > 2 && word[0] == '-' && word[1] != '-'); // -xVALUE
}

} // namespace

std::string nearest_name(const std::string& word, const std::vector<std::string>& choices) {
  std::string best;
  std::size_t best_distance = 3;
  for (const auto& choice : choices) {
    std::size_t distance = edit_distance(word, choice);
    if (!word.empty() && choice.rfind(word, 0) == 0) {
      distance = std::min<std::size_t>(distance, 1); // a prefix: `stat` for `status`
    }
    if (distance < best_distance) {
      best_distance = distance;
      best = choice;
    }
  }
  return best;
}

namespace {

// Where the first word that is not an option (nor the value of one of the
// top level's options) is in `words`; words.size() when there is none.
std::size_t first_word(const CLI::App& app, const std::vector<std::string>& words) {
  std::size_t first = 0;
  for (; first < words.size(); ++first) {
    const auto& word = words[first];
    if (word.empty() || word[0] != '-' || word == "-" || word == "--") {
      break;
    }
    const auto* option = own_option(app, word);
    if (option != nullptr && takes_value(*option, word)) {
      ++first;
    }
  }
  return first;
}

} // namespace

std::string command_word(const CLI::App& app, int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  std::size_t first = first_word(app, words);
  return first < words.size() ? words[first] : std::string();
}

std::vector<std::string> prepare_arguments(const CLI::App& app, int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);

  // `bridge help [COMMAND...]`, the first word that is not an option.
  std::size_t first = first_word(app, words);
  if (first < words.size() && words[first] == "help") {
    words.erase(words.begin() + static_cast<std::ptrdiff_t>(first));
    if (first < words.size() && words[first] == "help") {
      // `bridge help help`: the help on help is the top level's, which
      // names `bridge help COMMAND`.
      words.erase(words.begin() + static_cast<std::ptrdiff_t>(first));
    }
    words.emplace_back("--help");
  }

  // Walk the words: options before the command must be the top level's; the
  // command words must name commands.
  const CLI::App* current = &app;
  bool seen_command = false;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const auto& word = words[i];
    if (word == "--") {
      break;
    }
    bool option_word = word.size() > 1 && word[0] == '-';
    if (option_word) {
      if (word == "--help" || word == "-h") {
        break; // CLI11 prints the help of the command so far
      }
      if (const auto* option = find_option(*current, word)) {
        if (split_empty_value(words, i, *option)) {
          ++i;
          continue;
        }
        if (option->check_name("--wait")) {
          if (word == "--wait") {
            if (i + 1 < words.size() && is_number(words[i + 1])) {
              words[i] = "--wait=" + words[i + 1];
              words.erase(words.begin() + static_cast<std::ptrdiff_t>(i) + 1);
            } else {
              words[i] = std::string("--wait=") + k_default_wait;
            }
          }
          continue;
        }
        if (takes_value(*option, word)) {
          ++i;
        }
        continue;
      }
      if (current != &app && find_option(app, word) != nullptr) {
        const auto* option = find_option(app, word);
        if (split_empty_value(words, i, *option)) {
          ++i;
          continue;
        }
        if (takes_value(*option, word)) {
          ++i;
        }
        continue; // a global option after the command: CLI11's fallthrough
      }
      if (!seen_command) {
        // An option of some subcommand, written before it?
        std::string name = word.substr(0, word.find('='));
        for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
          const CLI::App* holder = nullptr;
          if (own_option(*sub, name) != nullptr) {
            holder = sub;
          } else {
            for (const auto* inner : sub->get_subcommands([](const CLI::App*) { return true; })) {
              if (own_option(*inner, name) != nullptr) {
                holder = inner;
              }
            }
          }
          if (holder != nullptr) {
            std::string where = holder->get_parent() == &app
                                    ? holder->get_name()
                                    : holder->get_parent()->get_name() + " " + holder->get_name();
            throw Error(ExitCode::usage,
                        fmt::format("{} is an option of 'bridge {}': write it after the command, "
                                    "as in: bridge {} {} ...",
                                    name, where, where, name));
          }
        }
      }
      if (looks_like_option(word)) {
        // Named here rather than by CLI11, which would also quote the next
        // word ("not expected: sk-ant-... --key"): that may be a secret.
        std::string name = word.substr(0, word.find('='));
        auto names = option_names(*current);
        if (current != &app) {
          auto global = option_names(app);
          names.insert(names.end(), global.begin(), global.end());
        }
        std::string level =
            current == &app ? "bridge"
            : current->get_parent() == &app
                ? "bridge " + current->get_name()
                : "bridge " + current->get_parent()->get_name() + " " + current->get_name();
        auto near = name.size() > 2 ? nearest_name(name, names) : std::string();
        throw Error(
            ExitCode::usage,
            fmt::format("unknown option {} for '{}'{}", name, level,
                        near.empty() ? std::string() : fmt::format("; did you mean {}?", near)));
      }
      continue; // a prompt word that starts with a dash
    }
    // A word: the command at this level, when the level has commands.
    auto names = subcommand_names(*current);
    if (names.empty()) {
      if (current->get_options([](const CLI::Option* o) { return o->get_positional(); }).empty() &&
          current != &app) {
        // CLI11 would quote the word ("not expected: sk-ant-..."): a word
        // given where none is taken may well be a pasted key.
        throw Error(ExitCode::usage,
                    fmt::format("'{}' takes no words, only options (the word is not shown: it "
                                "may be a secret)",
                                current->get_parent() == &app
                                    ? "bridge " + current->get_name()
                                    : "bridge " + current->get_parent()->get_name() + " " +
                                          current->get_name()));
      }
      continue; // a word of the prompt, or a label
    }
    const CLI::App* next = nullptr;
    for (const auto* sub : current->get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->check_name(word)) {
        next = sub;
      }
    }
    if (next == nullptr) {
      std::string level = current == &app ? "bridge" : "bridge " + current->get_name();
      throw Error(ExitCode::usage,
                  fmt::format("'{}' is not a command of {}{} (commands: {})", word, level,
                              suggestion(word, *current), fmt::join(names, ", ")));
    }
    current = next;
    seen_command = true;
  }
  return words;
}

} // namespace app
