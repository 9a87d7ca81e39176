#include "state/file/state_document.hpp"

#include "state/file/json_fields.hpp"

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

namespace {

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

} // namespace

json limits_json(const pool::ModelLimits& limits) {
  json out = json::object();
  out["seen"] = util::format_rfc3339(limits.seen);
  for (const auto& reading : limits.readings) {
    json kind = json::object();
    if (reading.remaining >= 0) {
      kind["remaining"] = reading.remaining;
    }
    if (reading.limit >= 0) {
      kind["limit"] = reading.limit;
    }
    if (reading.reset) {
      kind["reset"] = util::format_rfc3339(*reading.reset);
    }
    out[reading.kind] = std::move(kind);
  }
  return out;
}

namespace {

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
    models[name]["limits"] = limits_json(limits);
  }
  if (models.empty()) {
    entry.erase("models");
  } else {
    entry["models"] = std::move(models);
  }
}

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

// The document itself, kept out of the header so that nlohmann stays behind
// the state layer.
struct StateDocument::Json {
  json value;
};

StateDocument::StateDocument()
    : m_json(std::make_unique<Json>(
          Json{json{{"version", k_state_version}, {"keys", json::object()}}})) {}
StateDocument::~StateDocument() = default;
StateDocument::StateDocument(const StateDocument& other)
    : m_json(std::make_unique<Json>(*other.m_json)) {}
StateDocument& StateDocument::operator=(const StateDocument& other) {
  *m_json = *other.m_json;
  return *this;
}
// A moved-from document stays a valid (unspecified) document.
StateDocument::StateDocument(StateDocument&& other) noexcept
    : m_json(std::make_unique<Json>(std::move(*other.m_json))) {}
StateDocument& StateDocument::operator=(StateDocument&& other) noexcept {
  m_json->value = std::move(other.m_json->value);
  return *this;
}

bool nests_deeper_than(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) {
        return true;
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

StateDocument::Parse StateDocument::parse(std::string_view text, StateDocument& out,
                                          std::string& problem) {
  if (nests_deeper_than(text, k_max_state_depth)) {
    problem = "it nests deeper than " + std::to_string(k_max_state_depth) + " levels";
    return Parse::corrupt;
  }
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    problem = "it is not valid JSON";
    return Parse::corrupt;
  }
  if (!parsed.is_object()) {
    problem = "it is not a JSON object";
    return Parse::corrupt;
  }
  auto version = parsed.find("version");
  if (version == parsed.end() || !version->is_number_integer()) {
    problem = "it has no integer \"version\"";
    return Parse::corrupt;
  }
  // A version beyond long long is a newer version too (as read_marks reads
  // it), not a negative number that would make the file "corrupt" and be
  // moved aside. (Found by tests/unit/mark_reader_test.cpp.)
  bool beyond = version->is_number_unsigned() &&
                version->get<unsigned long long>() > static_cast<unsigned long long>(LLONG_MAX);
  long long number = beyond ? LLONG_MAX : version->get<long long>();
  if (number > k_state_version) {
    problem = "it was written by a newer bridge (version " + version->dump() + ")";
    return Parse::newer_version;
  }
  if (number < 1) {
    problem = "its version is not valid";
    return Parse::corrupt;
  }
  auto keys = parsed.find("keys");
  if (keys == parsed.end()) {
    parsed["keys"] = json::object();
  } else if (!keys->is_object()) {
    problem = "its \"keys\" is not an object";
    return Parse::corrupt;
  }
  out.m_json->value = std::move(parsed);
  return Parse::ok;
}

pool::MarkMap StateDocument::marks() const {
  pool::MarkMap marks;
  const auto& keys = m_json->value.at("keys");
  marks.reserve(keys.size());
  for (auto it = keys.begin(); it != keys.end(); ++it) {
    auto entry = read_entry(it.value());
    if (!entry.empty()) {
      marks.emplace(it.key(), std::move(entry));
    }
  }
  return marks;
}

namespace {
// The entry of a fingerprint in `document` (made an object when it is not
// one), with its label and hint brought up to date.
json& entry_of(json& document, const std::string& fingerprint, const std::string& label,
               const std::string& hint) {
  json& entry = document["keys"][fingerprint];
  if (!entry.is_object()) {
    entry = json::object();
  }
  entry["label"] = label;
  entry["hint"] = hint;
  return entry;
}
} // namespace

void StateDocument::merge(const keys::Key& key, const pool::Scope& scope,
                          const pool::KeyMark& mark) {
  merge(key.fingerprint, key.label, key.hint, scope, mark);
}

void StateDocument::merge(const std::string& fingerprint, const std::string& label,
                          const std::string& hint, const pool::Scope& scope,
                          const pool::KeyMark& mark) {
  json& entry = entry_of(m_json->value, fingerprint, label, hint);
  pool::KeyMarks marks = read_entry(entry);
  marks.merge(scope, mark);
  write_entry(entry, marks);
}

void StateDocument::set_limits(const keys::Key& key, const std::string& model,
                               const pool::ModelLimits& limits) {
  json& entry = entry_of(m_json->value, key.fingerprint, key.label, key.hint);
  pool::KeyMarks marks = read_entry(entry);
  marks.limits[model] = limits;
  write_entry(entry, marks);
}

bool StateDocument::remove(const std::string& fingerprint) {
  return m_json->value["keys"].erase(fingerprint) > 0;
}

bool StateDocument::clear_disabled(const std::string& fingerprint) {
  auto& keys = m_json->value["keys"];
  auto it = keys.find(fingerprint);
  if (it == keys.end()) {
    return false;
  }
  pool::KeyMarks marks = read_entry(*it);
  if (!marks.key_wide || !pool::is_disabled(*marks.key_wide)) {
    return false;
  }
  marks.key_wide.reset();
  if (marks.empty()) {
    keys.erase(it);
  } else {
    write_entry(*it, marks);
  }
  return true;
}

std::size_t StateDocument::clear() {
  std::size_t count = m_json->value["keys"].size();
  m_json->value["keys"] = json::object();
  return count;
}

void StateDocument::prune(util::TimePoint now) {
  auto& keys = m_json->value["keys"];
  for (auto it = keys.begin(); it != keys.end();) {
    pool::KeyMarks marks = read_entry(it.value());
    if (marks.empty()) {
      ++it; // nothing we read: an entry we do not understand is kept as it is
      continue;
    }
    pool::KeyMarks pruned = marks;
    pruned.prune(now);
    for (auto limit = pruned.limits.begin(); limit != pruned.limits.end();) {
      limit =
          now - limit->second.seen > k_limits_kept ? pruned.limits.erase(limit) : std::next(limit);
    }
    if (pruned.empty()) {
      it = keys.erase(it);
      continue;
    }
    if (pruned.key_wide.has_value() != marks.key_wide.has_value() ||
        pruned.models.size() != marks.models.size() ||
        pruned.limits.size() != marks.limits.size()) {
      write_entry(it.value(), pruned);
    }
    ++it;
  }
}

std::size_t StateDocument::size() const { return m_json->value.at("keys").size(); }

std::string StateDocument::serialize() const {
  // Labels come from a user file and may not be valid UTF-8: replace, never throw.
  return m_json->value.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

} // namespace state
