#include "state/file/state_document.hpp"

#include "state/file/json_fields.hpp"

#include "util/time_format.hpp"

#include <climits>

namespace state {

using nlohmann::json;

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
