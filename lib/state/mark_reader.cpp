#include "state/mark_reader.hpp"

#include "state/json_scan.hpp"
#include "util/time_format.hpp"

#include <climits>
#include <cstring>
#include <optional>

namespace state {

namespace {

// The fields of one entry of "keys" that make a mark. As in nlohmann's DOM,
// which StateDocument reads, a name that repeats counts by its last value,
// and a value of another type counts as absent (an empty text, status 0).
struct EntryFields {
  std::string_view mark;
  std::string_view since;
  std::string_view until;
  std::string_view reason;
  std::uint64_t status = 0; // json::get<int>() takes the low 32 bits
  std::string_view models;  // the JSON text of "models", when it is an object
};

// name == word, with the length known at compile time so that the compiler
// compares inline (names are compared once per member, millions of times).
template <std::size_t N> bool is(std::string_view name, const char (&word)[N]) {
  return name.size() == N - 1 && std::memcmp(name.data(), word, N - 1) == 0;
}

// StateDocument's reading of an entry, over the fields: the key-wide mark,
// and the per-model marks, which are rare enough to be read with nlohmann.
std::optional<pool::KeyMarks> to_marks(const EntryFields& fields) {
  pool::KeyMarks marks;
  marks.key_wide = mark_from_fields(fields.mark, fields.since, fields.until,
                                    static_cast<int>(fields.status), fields.reason);
  if (!fields.models.empty()) {
    read_model_marks_text(fields.models, marks);
  }
  return marks.empty() ? std::nullopt : std::optional(std::move(marks));
}

// One pass of the scanner over the whole file: it reads "version" and the
// entries of "keys" and checks (and skips) everything else.
class MarkScan {
public:
  explicit MarkScan(std::string_view text) : m_json(text, k_max_state_depth) {
    // An entry as bridge writes it takes some 220 to 290 bytes: room for
    // about as many marks as the file can hold spares the rehashing of a large
    // map as it grows (some 7% of the time to read a 10,000-entry file).
    m_found.reserve(text.size() / 200);
  }

  // False when the scanner stops before the end (status() says why).
  bool run() {
    if (!m_json.begin_document()) {
      return false;
    }
    if (m_json.peek() != '{') {
      return m_json.skip_value() && m_json.end_document();
    }
    m_top_is_object = true;
    if (!m_json.enter_object()) {
      return false;
    }
    std::string_view name;
    while (m_json.next_member(name, m_name_scratch)) {
      bool read = true;
      if (is(name, "version")) {
        read = read_integer(m_version);
      } else if (is(name, "keys")) {
        m_found.clear(); // only the last "keys" counts
        m_keys_is_object = m_json.peek() == '{';
        read = m_keys_is_object ? read_keys() : m_json.skip_value();
      } else {
        read = m_json.skip_value();
      }
      if (!read) {
        return false;
      }
    }
    return m_json.good() && m_json.end_document();
  }

  JsonScanner::Status status() const { return m_json.status(); }
  // After a successful run(): the bytes after a NUL that ended the text.
  std::string_view rest() const { return m_json.rest(); }
  bool top_is_object() const { return m_top_is_object; }
  // The last "version", if it was an integer.
  const std::optional<JsonNumber>& version() const { return m_version; }
  bool keys_is_object() const { return m_keys_is_object; }
  pool::MarkMap& found() { return m_found; }

private:
  // The value at the cursor, if it is an integer (nlohmann's
  // is_number_integer()); any other value is skipped.
  bool read_integer(std::optional<JsonNumber>& out) {
    out.reset();
    char c = m_json.peek();
    if (c != '-' && (c < '0' || c > '9')) {
      return m_json.skip_value();
    }
    JsonNumber number;
    if (!m_json.number(number)) {
      return false;
    }
    if (number.is_integer()) {
      out = number;
    }
    return true;
  }

  bool read_keys() {
    if (!m_json.enter_object()) {
      return false;
    }
    std::string_view fingerprint;
    while (m_json.next_member(fingerprint, m_fingerprint_scratch)) {
      std::optional<pool::KeyMarks> mark;
      if (m_json.peek() == '{') {
        EntryFields fields;
        if (!read_entry(fields)) {
          return false;
        }
        mark = to_marks(fields);
      } else if (!m_json.skip_value()) {
        return false;
      }
      // A repeated fingerprint counts by its last entry.
      if (mark) {
        m_found.insert_or_assign(std::string(fingerprint), std::move(*mark));
      } else if (!m_found.empty()) {
        m_found.erase(std::string(fingerprint));
      }
    }
    return m_json.good();
  }

  bool read_entry(EntryFields& fields) {
    if (!m_json.enter_object()) {
      return false;
    }
    std::string_view name;
    while (m_json.next_member(name, m_name_scratch)) {
      std::string_view* text = nullptr;
      std::string* scratch = nullptr;
      if (is(name, "mark")) {
        text = &fields.mark;
        scratch = &m_mark_scratch;
      } else if (is(name, "since")) {
        text = &fields.since;
        scratch = &m_since_scratch;
      } else if (is(name, "until")) {
        text = &fields.until;
        scratch = &m_until_scratch;
      } else if (is(name, "reason")) {
        text = &fields.reason;
        scratch = &m_reason_scratch;
      } else if (is(name, "status")) {
        std::optional<JsonNumber> status;
        if (!read_integer(status)) {
          return false;
        }
        fields.status = status ? status->bits : 0;
        continue;
      } else if (is(name, "models")) {
        if (!read_models(fields.models)) {
          return false;
        }
        continue;
      }
      bool read = true;
      if (text == nullptr) {
        read = m_json.skip_value();
      } else if (m_json.peek() == '"') {
        read = m_json.string(*text, *scratch);
      } else {
        *text = {};
        read = m_json.skip_value();
      }
      if (!read) {
        return false;
      }
    }
    return m_json.good();
  }

  // The text of the "models" value when it is an object (checked by the
  // scanner as it is skipped); empty otherwise.
  bool read_models(std::string_view& out) {
    bool object = m_json.peek() == '{';
    std::string_view before = m_json.rest();
    if (!m_json.skip_value()) {
      return false;
    }
    out = object ? before.substr(0, before.size() - m_json.rest().size()) : std::string_view{};
    return true;
  }

  JsonScanner m_json;
  pool::MarkMap m_found;
  bool m_top_is_object = false;
  std::optional<JsonNumber> m_version;
  bool m_keys_is_object = true; // no "keys" at all is an empty one
  // Decoded names and texts, for the few that hold escapes; each lives as
  // long as the view that may point into it.
  std::string m_name_scratch;
  std::string m_fingerprint_scratch;
  std::string m_mark_scratch;
  std::string m_since_scratch;
  std::string m_until_scratch;
  std::string m_reason_scratch;
};

// The reference reading, for what the scanner leaves to nlohmann.
StateDocument::Parse read_with_document(std::string_view text, pool::MarkMap& marks,
                                        std::string& problem) {
  StateDocument document;
  auto verdict = StateDocument::parse(text, document, problem);
  if (verdict == StateDocument::Parse::ok) {
    marks = document.marks();
  }
  return verdict;
}

} // namespace

StateDocument::Parse read_marks(std::string_view text, pool::MarkMap& marks, std::string& problem) {
  // StateDocument::parse first refuses a text whose brackets nest deeper than
  // k_max_state_depth (nests_deeper_than, a pass over the bytes that does not
  // check the JSON), then invalid JSON. The scanner counts the same depth
  // while it checks the JSON, saving that pass: where the text is valid, the
  // two counts agree; where it is not, only the message is at stake, and
  // nests_deeper_than gives it.
  auto too_deep = [] {
    return "it nests deeper than " + std::to_string(k_max_state_depth) + " levels";
  };
  MarkScan scan(text);
  if (!scan.run()) {
    switch (scan.status()) {
    case JsonScanner::Status::unsure:
      return read_with_document(text, marks, problem);
    case JsonScanner::Status::too_deep:
      problem = too_deep();
      break;
    default:
      problem = nests_deeper_than(text, k_max_state_depth) ? too_deep() : "it is not valid JSON";
    }
    return StateDocument::Parse::corrupt;
  }
  // Bytes after a NUL end the JSON for nlohmann, but still count for the
  // depth rule (from depth 0, outside any string, as the JSON ended there).
  if (nests_deeper_than(scan.rest(), k_max_state_depth)) {
    problem = too_deep();
    return StateDocument::Parse::corrupt;
  }
  // The checks of StateDocument::parse, in the same order, with its words.
  if (!scan.top_is_object()) {
    problem = "it is not a JSON object";
    return StateDocument::Parse::corrupt;
  }
  if (!scan.version()) {
    problem = "it has no integer \"version\"";
    return StateDocument::Parse::corrupt;
  }
  const JsonNumber& version = *scan.version();
  bool is_unsigned = version.kind == JsonNumber::Kind::unsigned_integer;
  // A version beyond long long is a newer version too, as in StateDocument.
  long long number = is_unsigned && version.bits > static_cast<std::uint64_t>(LLONG_MAX)
                         ? LLONG_MAX
                         : static_cast<long long>(version.bits);
  if (number > k_state_version) {
    problem = "it was written by a newer bridge (version " +
              (is_unsigned ? std::to_string(version.bits) : std::to_string(number)) + ")";
    return StateDocument::Parse::newer_version;
  }
  if (number < 1) {
    problem = "its version is not valid";
    return StateDocument::Parse::corrupt;
  }
  if (!scan.keys_is_object()) {
    problem = "its \"keys\" is not an object";
    return StateDocument::Parse::corrupt;
  }
  marks = std::move(scan.found());
  return StateDocument::Parse::ok;
}

} // namespace state
