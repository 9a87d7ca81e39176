// The fields of one key's entry in the state file: marks, per-model marks and
// rate limits, read and written (json_fields.hpp).
#include "state/file/json_fields.hpp"

#include "pool/limits_json.hpp"

#include "util/time_format.hpp"

#include <climits>

namespace state {

using nlohmann::json;

namespace {

constexpr const char* k_mark_fields[] = {"mark", "since", "until", "status", "reason"};

std::string text_of(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

} // namespace

std::optional<pool::KeyMark> read_mark(const json& object) {
  if (!object.is_object()) {
    return std::nullopt;
  }
  int status = 0;
  if (auto it = object.find("status"); it != object.end() && it->is_number_integer()) {
    status = it->get<int>();
  }
  return mark_from_fields(text_of(object, "mark"), text_of(object, "since"),
                          text_of(object, "until"), status, text_of(object, "reason"));
}

void write_mark(json& object, const std::optional<pool::KeyMark>& mark) {
  if (!mark) {
    for (const char* name : k_mark_fields) {
      object.erase(name);
    }
    return;
  }
  object["mark"] = pool::to_string(mark->kind);
  object["since"] = util::format_rfc3339(mark->since);
  if (mark->kind == pool::MarkKind::cooling) {
    object["until"] = util::format_rfc3339(mark->until);
  } else {
    object.erase("until");
  }
  object["status"] = mark->status;
  object["reason"] = mark->reason;
}

pool::KeyMarks read_entry(const json& entry) {
  pool::KeyMarks marks;
  marks.key_wide = read_mark(entry);
  if (entry.is_object()) {
    if (auto it = entry.find("models"); it != entry.end()) {
      read_model_marks(*it, marks);
    }
  }
  return marks;
}

// Writes `marks` into `entry`, keeping the fields it does not know: the
// key-wide mark at the top, the rest under "models" (removed when empty).
void write_entry(json& entry, const pool::KeyMarks& marks) {
  write_mark(entry, marks.key_wide);
  json models =
      entry.contains("models") && entry["models"].is_object() ? entry["models"] : json::object();
  for (auto it = models.begin(); it != models.end();) {
    const std::string& name = it.key();
    if (!it->is_object()) {
      it = models.erase(it);
      continue;
    }
    auto mark = marks.models.find(name);
    write_mark(*it, mark == marks.models.end() ? std::nullopt : std::optional(mark->second));
    if (marks.limits.find(name) == marks.limits.end()) {
      it->erase("limits");
    }
    it = it->empty() ? models.erase(it) : std::next(it);
  }
  for (const auto& [name, mark] : marks.models) {
    write_mark(models[name], mark);
  }
  for (const auto& [name, limits] : marks.limits) {
    models[name]["limits"] = pool::limits_json(limits);
  }
  if (models.empty()) {
    entry.erase("models");
  } else {
    entry["models"] = std::move(models);
  }
}

namespace {

long long count_of(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()) {
    return -1;
  }
  auto value = it->get<long long>();
  return value < 0 ? -1 : value;
}

} // namespace

std::optional<pool::ModelLimits> read_limits(const json& limits) {
  if (!limits.is_object()) {
    return std::nullopt;
  }
  auto seen = util::parse_rfc3339(text_of(limits, "seen"));
  if (!seen) {
    return std::nullopt;
  }
  pool::ModelLimits out;
  out.seen = *seen;
  for (auto it = limits.begin(); it != limits.end(); ++it) {
    if (!it->is_object()) {
      continue;
    }
    pool::LimitReading reading;
    reading.kind = it.key();
    reading.remaining = count_of(*it, "remaining");
    reading.limit = count_of(*it, "limit");
    reading.reset = util::parse_rfc3339(text_of(*it, "reset"));
    out.readings.push_back(std::move(reading));
  }
  return out;
}

void read_model_marks(const json& models, pool::KeyMarks& marks) {
  if (!models.is_object()) {
    return;
  }
  for (auto it = models.begin(); it != models.end(); ++it) {
    if (it.key().empty() || !it->is_object()) {
      continue;
    }
    if (auto mark = read_mark(*it)) {
      marks.models.insert_or_assign(it.key(), std::move(*mark));
    }
    if (auto limits = it->find("limits"); limits != it->end()) {
      if (auto read = read_limits(*limits)) {
        marks.limits.insert_or_assign(it.key(), std::move(*read));
      }
    }
  }
}

bool read_model_marks_text(std::string_view models_json, pool::KeyMarks& marks) {
  json parsed = json::parse(models_json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return false;
  }
  read_model_marks(parsed, marks);
  return true;
}

std::optional<pool::KeyMark> mark_from_fields(std::string_view kind, std::string_view since,
                                              std::string_view until, int status,
                                              std::string_view reason) {
  pool::KeyMark mark;
  if (kind == "disabled") {
    mark.kind = pool::MarkKind::disabled;
  } else if (kind == "cooling") {
    mark.kind = pool::MarkKind::cooling;
  } else {
    return std::nullopt;
  }
  auto since_time = util::parse_rfc3339(since);
  if (!since_time) {
    return std::nullopt;
  }
  mark.since = *since_time;
  mark.until = *since_time;
  if (mark.kind == pool::MarkKind::cooling) {
    auto until_time = util::parse_rfc3339(until);
    if (!until_time) {
      return std::nullopt;
    }
    mark.until = *until_time;
  }
  mark.status = status;
  mark.reason = std::string(reason);
  return mark;
}

} // namespace state
