// What `keys status` shows (key_status.hpp).
#include "key_status.hpp"

#include "mark_text.hpp"
#include "output.hpp"
#include "pool/limits_json.hpp"
#include "pool/mark.hpp"
#include "util/printable.hpp"
#include "util/time_format.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace app {

namespace {

// The per-model cooldowns of a key still running at `now`, other than the
// one its row shows already.
std::vector<std::pair<std::string, const pool::KeyMark*>> model_cooldowns(const KeyRow& row,
                                                                          util::TimePoint now) {
  std::vector<std::pair<std::string, const pool::KeyMark*>> out;
  if (row.marks == nullptr) {
    return out;
  }
  for (const auto& [model, mark] : row.marks->models) {
    if (pool::is_cooling(mark, now) && !(row.block && row.block->mark == &mark)) {
      out.emplace_back(model, &mark);
    }
  }
  return out;
}

using ordered_json = nlohmann::ordered_json;

// The last limits seen, per model (pool::limits_json: the object the state
// keeps).
ordered_json limits_json(const pool::KeyMarks& marks) {
  ordered_json out = ordered_json::object();
  for (const auto& [model, limits] : marks.limits) {
    out[model] = pool::limits_json(limits);
  }
  return out;
}

void append_padded(std::string& out, std::string_view text, std::size_t width) {
  out.append(text);
  if (text.size() < width) {
    out.append(width - text.size(), ' ');
  }
}

// A mark dated before 2000, in the future, or cooling for more than a year
// (pool::is_suspect) was not written by a bridge with a sane clock: said so.
constexpr std::string_view k_suspect = " [suspect date: not written by bridge as it is]";

void append_mark_detail(std::string& out, const pool::KeyMark& mark, bool cooling,
                        util::Millis left, util::TimePoint now) {
  if (cooling && (mark.reason == "spend_limit" || mark.reason == "billing")) {
    // A spend or billing limit may rest a key for weeks: the limit, and its
    // end as a date (the words of -v), rather than "retry in 679h12m".
    out += describe_block({&mark, pool::Scope::every_model()}, now);
  } else if (cooling) {
    out += "retry in ";
    out += util::format_delay(left);
  } else {
    out += "since ";
    out += util::format_rfc3339(mark.since);
  }
  out += " (";
  out += std::to_string(mark.status);
  out += ' ';
  out += util::printable(mark.reason);
  out += ')';
  if (pool::is_suspect(mark, now)) {
    out += k_suspect;
  }
}

// "requests 0/50, tokens 39000/40000": remaining of limit, per kind.
std::string limits_line(const pool::ModelLimits& limits) {
  std::string out;
  for (const auto& reading : limits.readings) {
    out += out.empty() ? "" : ", ";
    out += util::printable(reading.kind) + ' ';
    out += reading.remaining >= 0 ? std::to_string(reading.remaining) : std::string("?");
    out += '/';
    out += reading.limit >= 0 ? std::to_string(reading.limit) : std::string("?");
  }
  return out;
}

} // namespace

std::vector<KeyRow> key_rows(const KeySource& source, const pool::MarkMap& marks,
                             const std::string& model, util::TimePoint now) {
  std::vector<KeyRow> rows;
  rows.reserve(source.keys.size());
  for (const auto& key : source.keys) {
    KeyRow row{&key, std::nullopt, "ready", util::Millis{0}, nullptr};
    if (auto it = marks.find(key.fingerprint); it != marks.end()) {
      row.marks = &it->second;
      row.block = it->second.blocking(model, now);
      if (row.block) {
        row.state = pool::is_disabled(*row.block->mark) ? "disabled" : "cooling";
        row.left = pool::cooldown_left(*row.block->mark, now);
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string status_json(const std::vector<KeyRow>& rows, util::TimePoint now) {
  ordered_json out = ordered_json::array();
  for (const auto& row : rows) {
    ordered_json item;
    item["label"] = row.key->label;
    item["hint"] = row.key->hint;
    item["state"] = row.state;
    if (row.block) {
      const pool::KeyMark& mark = *row.block->mark;
      if (row.state == "cooling") {
        item["retry_in_ms"] = row.left.count();
        item["until"] = util::format_rfc3339(now + row.left);
      }
      item["status"] = mark.status;
      item["reason"] = mark.reason;
      item["since"] = util::format_rfc3339(mark.since);
      if (pool::is_suspect(mark, now)) {
        item["suspect"] = true;
      }
      if (!row.block->scope.key_wide()) {
        item["model"] = row.block->scope.model();
      }
    }
    auto cooldowns = model_cooldowns(row, now);
    if (!cooldowns.empty()) {
      ordered_json models = ordered_json::array();
      for (const auto& [model, mark] : cooldowns) {
        auto left = pool::cooldown_left(*mark, now);
        models.push_back({{"model", model},
                          {"state", "cooling"},
                          {"retry_in_ms", left.count()},
                          {"until", util::format_rfc3339(now + left)},
                          {"status", mark->status},
                          {"reason", mark->reason},
                          {"since", util::format_rfc3339(mark->since)}});
        if (pool::is_suspect(*mark, now)) {
          models.back()["suspect"] = true;
        }
      }
      item["models"] = std::move(models);
    }
    if (row.marks != nullptr && !row.marks->limits.empty()) {
      item["limits"] = limits_json(*row.marks);
    }
    out.push_back(std::move(item));
  }
  // A label, model or reason may hold C1 or bidirectional controls:
  // escaped as \uXXXX.
  return util::json_without_controls(
             out.dump(2, ' ', false, ordered_json::error_handler_t::replace)) +
         "\n";
}

// Plain appends rather than a format call per row: with 10,000 keys the
// table is most of the work of `keys status`. Per-model cooldowns and the
// last limits seen follow their key, indented.
// Labels, hints, models and reasons are shown through util::printable: they
// come from the state file, which another program may have written.
std::string status_table(const std::vector<KeyRow>& rows, bool colour, util::TimePoint now) {
  std::size_t label_width = 5;
  std::size_t hint_width = 4;
  std::vector<std::string> labels;
  std::vector<std::string> hints;
  labels.reserve(rows.size());
  hints.reserve(rows.size());
  for (const auto& row : rows) {
    labels.push_back(util::printable(row.key->label));
    hints.push_back(util::printable(row.key->hint));
    label_width = std::max(label_width, labels.back().size());
    hint_width = std::max(hint_width, hints.back().size());
  }
  auto end_line = [](std::string& out) {
    while (!out.empty() && out.back() == ' ') { // no trailing blanks
      out.pop_back();
    }
    out += '\n';
  };
  std::string out;
  out.reserve((label_width + hint_width + 48) * (rows.size() + 1));
  append_padded(out, "LABEL", label_width + 2);
  append_padded(out, "HINT", hint_width + 2);
  out += "STATE     DETAIL\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const KeyRow& row = rows[i];
    append_padded(out, labels[i], label_width + 2);
    append_padded(out, hints[i], hint_width + 2);
    if (colour) {
      out += row.state == "ready" ? "\x1b[32m" : row.state == "cooling" ? "\x1b[33m" : "\x1b[31m";
      out += row.state;
      out += "\x1b[0m";
      out.append(10 - row.state.size(), ' ');
    } else {
      append_padded(out, row.state, 10);
    }
    if (row.block) {
      if (!row.block->scope.key_wide()) {
        out += util::printable(row.block->scope.model()) + ": ";
      }
      append_mark_detail(out, *row.block->mark, row.state == "cooling", row.left, now);
    }
    end_line(out);
    if (row.marks == nullptr) {
      continue;
    }
    for (const auto& [model, mark] : model_cooldowns(row, now)) {
      out.append(label_width + hint_width + 4, ' ');
      append_padded(out, "cooling", 10);
      out += util::printable(model) + ": ";
      append_mark_detail(out, *mark, true, pool::cooldown_left(*mark, now), now);
      end_line(out);
    }
    for (const auto& [model, limits] : row.marks->limits) {
      out.append(label_width + hint_width + 4, ' ');
      append_padded(out, "limits", 10);
      out += util::printable(model) + ": " + limits_line(limits);
      end_line(out);
    }
  }
  return out;
}

} // namespace app
