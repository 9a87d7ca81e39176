#include "state/mark_reader.hpp"

#include "util/time_format.hpp"

#include <nlohmann/json.hpp>

namespace state {

namespace {

using json = nlohmann::json;

// The fields of one entry of "keys" as they stream past.
struct EntryFields {
  std::string mark;
  std::string since;
  std::string until;
  long long status = 0;
  std::string reason;
};

// Depths: 1 = the top object, 2 = inside "keys", 3 = inside one entry.
class MarkSax final : public nlohmann::json_sax<json> {
public:
  explicit MarkSax(pool::MarkMap& marks) : m_marks(marks) {}

  bool null() override { return scalar(); }
  bool boolean(bool) override { return scalar(); }
  bool number_integer(number_integer_t value) override { return integer(value); }
  bool number_unsigned(number_unsigned_t value) override {
    return integer(value > static_cast<number_unsigned_t>(LLONG_MAX) ? LLONG_MAX
                                                                      : static_cast<long long>(value));
  }
  bool number_float(number_float_t, const string_t&) override {
    if (m_depth == 1 && m_key == "version") {
      m_version_ok = false; // a version must be an integer
      m_saw_version = true;
    }
    return scalar();
  }
  bool string(string_t& value) override {
    if (m_depth == 3 && m_nested == 0) {
      if (m_key == "mark") {
        m_entry.mark = std::move(value);
      } else if (m_key == "since") {
        m_entry.since = std::move(value);
      } else if (m_key == "until") {
        m_entry.until = std::move(value);
      } else if (m_key == "reason") {
        m_entry.reason = std::move(value);
      }
    }
    return scalar();
  }
  bool binary(binary_t&) override { return scalar(); }

  bool start_object(std::size_t) override {
    if (m_nested > 0 || m_depth >= 3) {
      ++m_nested;
      return true;
    }
    if (m_depth == 0) {
      m_depth = 1;
      m_top_is_object = true;
    } else if (m_depth == 1 && m_key == "keys") {
      m_depth = 2;
      m_keys_is_object = true;
    } else if (m_depth == 2) {
      m_depth = 3;
      m_fingerprint = m_key;
      m_entry = EntryFields{};
    } else {
      ++m_nested;
    }
    return true;
  }
  bool end_object() override {
    if (m_nested > 0) {
      --m_nested;
      return true;
    }
    if (m_depth == 3) {
      finish_entry();
    }
    --m_depth;
    return true;
  }
  bool start_array(std::size_t) override {
    if (m_depth == 1 && m_nested == 0 && m_key == "keys") {
      m_keys_wrong_type = true;
    }
    if (m_depth == 0) {
      m_depth = -1; // a top-level array: not our shape
    }
    ++m_nested;
    return true;
  }
  bool end_array() override {
    --m_nested;
    return true;
  }
  bool key(string_t& value) override {
    if (m_nested == 0) {
      m_key = std::move(value);
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    m_syntax_error = true;
    return false;
  }

  bool syntax_error() const { return m_syntax_error; }
  bool top_is_object() const { return m_top_is_object; }
  bool keys_wrong_type() const { return m_keys_wrong_type; }
  bool saw_version() const { return m_saw_version; }
  bool version_ok() const { return m_version_ok; }
  long long version() const { return m_version; }

private:
  bool scalar() {
    if (m_depth == 1 && m_nested == 0 && m_key == "keys") {
      m_keys_wrong_type = true;
    }
    if (m_depth == 1 && m_nested == 0 && m_key == "version" && !m_saw_version) {
      m_saw_version = true;
      m_version_ok = false;
    }
    return true;
  }
  bool integer(long long value) {
    if (m_depth == 1 && m_nested == 0 && m_key == "version") {
      m_saw_version = true;
      m_version_ok = true;
      m_version = value;
      return true;
    }
    if (m_depth == 3 && m_nested == 0 && m_key == "status") {
      m_entry.status = value;
    }
    return scalar();
  }
  void finish_entry() {
    pool::KeyMark mark;
    if (m_entry.mark == "disabled") {
      mark.kind = pool::MarkKind::disabled;
    } else if (m_entry.mark == "cooling") {
      mark.kind = pool::MarkKind::cooling;
    } else {
      return;
    }
    auto since = util::parse_rfc3339(m_entry.since);
    if (!since) {
      return;
    }
    mark.since = *since;
    mark.until = *since;
    if (mark.kind == pool::MarkKind::cooling) {
      auto until = util::parse_rfc3339(m_entry.until);
      if (!until) {
        return;
      }
      mark.until = *until;
    }
    mark.status = static_cast<int>(m_entry.status);
    mark.reason = std::move(m_entry.reason);
    m_marks.insert_or_assign(std::move(m_fingerprint), std::move(mark));
  }

  pool::MarkMap& m_marks;
  int m_depth = 0;
  int m_nested = 0; // levels inside a value we do not read
  std::string m_key;
  std::string m_fingerprint;
  EntryFields m_entry;
  bool m_syntax_error = false;
  bool m_top_is_object = false;
  bool m_keys_is_object = false;
  bool m_keys_wrong_type = false;
  bool m_saw_version = false;
  bool m_version_ok = false;
  long long m_version = 0;
};

} // namespace

StateDocument::Parse read_marks(std::string_view text, pool::MarkMap& marks, std::string& problem) {
  pool::MarkMap found;
  MarkSax sax(found);
  json::sax_parse(text, &sax, json::input_format_t::json, /*strict=*/true);
  if (sax.syntax_error()) {
    problem = "it is not valid JSON";
    return StateDocument::Parse::corrupt;
  }
  if (!sax.top_is_object()) {
    problem = "it is not a JSON object";
    return StateDocument::Parse::corrupt;
  }
  if (!sax.saw_version() || !sax.version_ok()) {
    problem = "it has no integer \"version\"";
    return StateDocument::Parse::corrupt;
  }
  if (sax.version() > k_state_version) {
    problem = "it was written by a newer bridge (version " + std::to_string(sax.version()) + ")";
    return StateDocument::Parse::newer_version;
  }
  if (sax.version() < 1) {
    problem = "its version is not valid";
    return StateDocument::Parse::corrupt;
  }
  if (sax.keys_wrong_type()) {
    problem = "its \"keys\" is not an object";
    return StateDocument::Parse::corrupt;
  }
  marks = std::move(found);
  return StateDocument::Parse::ok;
}

} // namespace state
