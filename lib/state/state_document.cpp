#include "state/state_document.hpp"

#include "util/time_format.hpp"

#include <climits>

namespace state {

using nlohmann::json;

std::optional<pool::KeyMark> read_mark(const json& entry) {
  if (!entry.is_object()) {
    return std::nullopt;
  }
  auto text = [&](const char* name) -> std::string {
    auto it = entry.find(name);
    return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string{};
  };
  int status = 0;
  if (auto it = entry.find("status"); it != entry.end() && it->is_number_integer()) {
    status = it->get<int>();
  }
  return mark_from_fields(text("mark"), text("since"), text("until"), status, text("reason"));
}

void write_mark(json& entry, const pool::KeyMark& mark) {
  entry["mark"] = pool::to_string(mark.kind);
  entry["since"] = util::format_rfc3339(mark.since);
  if (mark.kind == pool::MarkKind::cooling) {
    entry["until"] = util::format_rfc3339(mark.until);
  } else {
    entry.erase("until");
  }
  entry["status"] = mark.status;
  entry["reason"] = mark.reason;
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

StateDocument::StateDocument() : m_json{{"version", k_state_version}, {"keys", json::object()}} {}

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
  out.m_json = std::move(parsed);
  return Parse::ok;
}

pool::MarkMap StateDocument::marks() const {
  pool::MarkMap marks;
  const auto& keys = m_json.at("keys");
  marks.reserve(keys.size());
  for (auto it = keys.begin(); it != keys.end(); ++it) {
    if (auto mark = read_mark(it.value())) {
      marks.emplace(it.key(), std::move(*mark));
    }
  }
  return marks;
}

void StateDocument::merge(const keys::Key& key, const pool::KeyMark& mark) {
  merge(key.fingerprint, key.label, key.hint, mark);
}

void StateDocument::merge(const std::string& fingerprint, const std::string& label,
                          const std::string& hint, const pool::KeyMark& mark) {
  json& entry = m_json["keys"][fingerprint];
  if (!entry.is_object()) {
    entry = json::object();
  }
  pool::KeyMark merged = pool::merge_marks(read_mark(entry), mark);
  entry["label"] = label;
  entry["hint"] = hint;
  write_mark(entry, merged);
}

bool StateDocument::remove(const std::string& fingerprint) {
  return m_json["keys"].erase(fingerprint) > 0;
}

std::size_t StateDocument::clear() {
  std::size_t count = m_json["keys"].size();
  m_json["keys"] = json::object();
  return count;
}

void StateDocument::prune(util::TimePoint now) {
  auto& keys = m_json["keys"];
  for (auto it = keys.begin(); it != keys.end();) {
    auto mark = read_mark(it.value());
    if (mark && mark->kind == pool::MarkKind::cooling && !pool::is_cooling(*mark, now)) {
      it = keys.erase(it);
    } else {
      ++it;
    }
  }
}

std::size_t StateDocument::size() const { return m_json.at("keys").size(); }

std::string StateDocument::serialize() const {
  // Labels come from a user file and may not be valid UTF-8: replace, never throw.
  return m_json.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

} // namespace state
