#include "state/file/mark_reader.hpp"

#include "util/json_reader.hpp"

#include <climits>
#include <cstdint>
#include <optional>

namespace state {

namespace {

namespace ondemand = simdjson::ondemand;

// A JSON integer as nlohmann::json holds it: unsigned when it is not
// negative and fits 64 bits, signed when negative; `bits` is the two's
// complement value, so that static_cast<int>(bits) is json::get<int>().
struct Integer {
  bool is_unsigned = false;
  std::uint64_t bits = 0;
};

// The fields of one entry of "keys" that make a mark. A value of another
// type counts as absent (an empty text, status 0), as in StateDocument.
struct EntryFields {
  std::string_view mark;
  std::string_view since;
  std::string_view until;
  std::string_view reason;
  std::uint64_t status = 0; // json::get<int>() takes the low 32 bits
  std::string_view models;  // the JSON text of "models", when it is an object
};

// The text members of an entry and where they go: one more member is one
// more line here (and one more field above).
struct TextMember {
  std::string_view name;
  std::string_view EntryFields::*field;
};
constexpr TextMember k_text_members[] = {
    {"mark", &EntryFields::mark},
    {"since", &EntryFields::since},
    {"until", &EntryFields::until},
    {"reason", &EntryFields::reason},
};

// StateDocument's reading of an entry, over the fields: the key-wide mark,
// and the per-model marks and limits under "models". False when the models'
// text is refused by nlohmann (the caller then asks StateDocument).
bool to_marks(const EntryFields& fields, std::optional<pool::KeyMarks>& out) {
  pool::KeyMarks marks;
  marks.key_wide = mark_from_fields(fields.mark, fields.since, fields.until,
                                    static_cast<int>(fields.status), fields.reason);
  if (!fields.models.empty() && !read_model_marks_text(fields.models, marks)) {
    return false;
  }
  out = marks.empty() ? std::nullopt : std::optional(std::move(marks));
  return true;
}

// One walk over the whole document: reads "version" and the entries of
// "keys", and checks everything else. Each function returns false where
// simdjson refuses the text (the caller then asks StateDocument). Decoded
// names and texts are views into the parser's buffer, valid until the next
// parse.
class MarkWalk {
public:
  bool run(std::string_view text) {
    // An entry as bridge writes it takes some 220 to 290 bytes: room for
    // about as many marks as the file can hold spares rehashing a large map.
    m_found.reserve(text.size() / 200);
    ondemand::document document;
    ondemand::object top;
    if (!m_reader.top_object(text, document, top)) {
      return false; // corrupt or not simdjson's to judge: StateDocument says
    }
    for (auto member : top) {
      ondemand::field field;
      std::string_view name;
      if (std::move(member).get(field) || field.unescaped_key().get(name)) {
        return false;
      }
      bool read = false;
      if (name == "version") {
        read = read_integer(field.value(), m_version, k_max_state_depth - 1);
      } else if (name == "keys") {
        read = read_keys(field.value());
      } else {
        read = util::check_json_value(field.value(), k_max_state_depth - 1);
      }
      if (!read) {
        return false;
      }
    }
    return util::json_document_ends(document);
  }

  // The last "version", if it was an integer.
  const std::optional<Integer>& version() const { return m_version; }
  bool keys_is_object() const { return m_keys_is_object; }
  pool::MarkMap& found() { return m_found; }

private:
  // The value, if it is an integer (nlohmann's is_number_integer()); any
  // other value is only checked. `levels`: the nesting left for it.
  static bool read_integer(ondemand::value value, std::optional<Integer>& out, int levels) {
    out.reset();
    ondemand::json_type type;
    if (value.type().get(type)) {
      return false;
    }
    if (type != ondemand::json_type::number) {
      return util::check_json_value(value, levels);
    }
    ondemand::number number;
    if (value.get_number().get(number)) {
      return false;
    }
    switch (number.get_number_type()) {
    case ondemand::number_type::signed_integer:
      out = Integer{false, static_cast<std::uint64_t>(number.get_int64())};
      break;
    case ondemand::number_type::unsigned_integer:
      out = Integer{true, number.get_uint64()};
      break;
    default:
      break;
    }
    return true;
  }

  // "keys" (depth 2 from the top): an object of entries, or anything else,
  // which makes the file corrupt. Only the last "keys" counts.
  bool read_keys(ondemand::value value) {
    m_found.clear();
    ondemand::json_type type;
    if (value.type().get(type)) {
      return false;
    }
    m_keys_is_object = type == ondemand::json_type::object;
    if (!m_keys_is_object) {
      return util::check_json_value(value, k_max_state_depth - 1);
    }
    ondemand::object keys;
    if (value.get_object().get(keys)) {
      return false;
    }
    for (auto member : keys) {
      ondemand::field field;
      std::string_view fingerprint;
      if (std::move(member).get(field) || field.unescaped_key().get(fingerprint)) {
        return false;
      }
      std::optional<pool::KeyMarks> mark;
      if (!read_entry(field.value(), mark)) {
        return false;
      }
      // A repeated fingerprint counts by its last entry.
      if (mark) {
        m_found.insert_or_assign(std::string(fingerprint), std::move(*mark));
      } else if (!m_found.empty()) {
        m_found.erase(std::string(fingerprint));
      }
    }
    return true;
  }

  // One entry (depth 3): its mark, if it is an object that describes one.
  static bool read_entry(ondemand::value value, std::optional<pool::KeyMarks>& mark) {
    constexpr int k_levels = k_max_state_depth - 2;
    ondemand::json_type type;
    if (value.type().get(type)) {
      return false;
    }
    if (type != ondemand::json_type::object) {
      return util::check_json_value(value, k_levels);
    }
    ondemand::object entry;
    if (value.get_object().get(entry)) {
      return false;
    }
    EntryFields fields;
    for (auto member : entry) {
      ondemand::field field;
      std::string_view name;
      if (std::move(member).get(field) || field.unescaped_key().get(name)) {
        return false;
      }
      if (name == "status") {
        std::optional<Integer> status;
        if (!read_integer(field.value(), status, k_levels - 1)) {
          return false;
        }
        fields.status = status ? status->bits : 0;
        continue;
      }
      if (name == "models") {
        if (!read_models(field.value(), fields.models, k_levels - 1)) {
          return false;
        }
        continue;
      }
      std::string_view EntryFields::*target = nullptr;
      for (const auto& member_of_entry : k_text_members) {
        if (name == member_of_entry.name) {
          target = member_of_entry.field;
        }
      }
      if (!(target != nullptr ? read_text(field.value(), fields.*target, k_levels - 1)
                              : util::check_json_value(field.value(), k_levels - 1))) {
        return false;
      }
    }
    return to_marks(fields, mark);
  }

  // The JSON text of "models" when it is an object (per-model marks are rare
  // enough to be read with nlohmann, from simdjson's view of the text); any
  // other value is only checked. The depth rule is StateDocument's to apply.
  static bool read_models(ondemand::value value, std::string_view& out, int levels) {
    out = {};
    ondemand::json_type type;
    if (value.type().get(type)) {
      return false;
    }
    if (type != ondemand::json_type::object) {
      return util::check_json_value(value, levels);
    }
    ondemand::object object;
    if (value.get_object().get(object) || object.raw_json().get(out)) {
      return false;
    }
    return !nests_deeper_than(out, levels);
  }

  // The value, if it is a string; empty for any other (checked) value.
  static bool read_text(ondemand::value value, std::string_view& out, int levels) {
    out = {};
    ondemand::json_type type;
    if (value.type().get(type)) {
      return false;
    }
    if (type != ondemand::json_type::string) {
      return util::check_json_value(value, levels);
    }
    return !value.get_string().get(out);
  }

  util::FastJsonReader m_reader;
  pool::MarkMap m_found;
  std::optional<Integer> m_version;
  bool m_keys_is_object = true; // no "keys" at all is an empty one
};

} // namespace

namespace {
// The verdict of StateDocument::parse on a text the walk accepted: the
// checks of StateDocument::parse, in the same order, with its words.
StateDocument::Parse verdict_of(MarkWalk& walk, pool::MarkMap& marks, std::string& problem) {
  if (!walk.version()) {
    problem = "it has no integer \"version\"";
    return StateDocument::Parse::corrupt;
  }
  const Integer& version = *walk.version();
  // A version beyond long long is a newer version too, as in StateDocument.
  long long number = version.is_unsigned && version.bits > static_cast<std::uint64_t>(LLONG_MAX)
                         ? LLONG_MAX
                         : static_cast<long long>(version.bits);
  if (number > k_state_version) {
    problem = "it was written by a newer bridge (version " +
              (version.is_unsigned ? std::to_string(version.bits) : std::to_string(number)) + ")";
    return StateDocument::Parse::newer_version;
  }
  if (number < 1) {
    problem = "its version is not valid";
    return StateDocument::Parse::corrupt;
  }
  if (!walk.keys_is_object()) {
    problem = "its \"keys\" is not an object";
    return StateDocument::Parse::corrupt;
  }
  marks = std::move(walk.found());
  return StateDocument::Parse::ok;
}
} // namespace

StateDocument::Parse read_marks(std::string_view text, pool::MarkMap& marks, std::string& problem) {
  MarkWalk walk;
  return util::fast_or_full(
      [&]() -> std::optional<StateDocument::Parse> {
        if (!walk.run(text)) {
          return std::nullopt;
        }
        return verdict_of(walk, marks, problem);
      },
      [&] {
        // What simdjson refuses or cannot judge: StateDocument has the last word.
        StateDocument document;
        auto verdict = StateDocument::parse(text, document, problem);
        if (verdict == StateDocument::Parse::ok) {
          marks = document.marks();
        }
        return verdict;
      });
}

} // namespace state
