// The fast half of the state file's reader (state/file/mark_reader.hpp),
// built into the JSON plugin (util/json_plugin.hpp): one simdjson On-Demand
// walk over the whole text that reads "version" and the entries of "keys",
// checks everything else, and hands each entry's fields to bridge, which
// makes the marks (pool types do not cross the plugin's C interface).
#include "state/file/state_document.hpp"
#include "util/json_check.hpp"
#include "util/json_plugin_abi.h"
#include "util/json_reader.hpp"

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

bridge_json_text to_text(std::string_view view) { return {view.data(), view.size()}; }

// The text members of an entry and where they go: one more member is one
// more line here (and one more field in bridge_json_entry).
struct TextMember {
  std::string_view name;
  bridge_json_text bridge_json_entry::*field;
};
constexpr TextMember k_text_members[] = {
    {"mark", &bridge_json_entry::mark},
    {"since", &bridge_json_entry::since},
    {"until", &bridge_json_entry::until},
    {"reason", &bridge_json_entry::reason},
};

// Each function returns false where simdjson refuses the text (bridge then
// asks StateDocument). Decoded names and texts are views into the parser's
// buffer, valid until the next parse.
class MarkWalk {
public:
  explicit MarkWalk(const bridge_json_marks_sink& sink) : m_sink(sink) {}

  bool run(std::string_view text) {
    ondemand::document document;
    ondemand::object top;
    if (!m_reader.top_object(text, document, top)) {
      return false; // corrupt or not simdjson's to judge: StateDocument says
    }
    bool read = util::for_each_field(top, [&](std::string_view name, ondemand::value field) {
      return name == "version" ? read_integer(field, m_version, k_max_state_depth - 1)
             : name == "keys"  ? read_keys(field)
                               : util::check_json_value(field, k_max_state_depth - 1);
    });
    return read && util::json_document_ends(document);
  }

  void top(bridge_json_state_top& out) const {
    out.has_version = m_version.has_value();
    out.version_is_unsigned = m_version && m_version->is_unsigned;
    out.version_bits = m_version ? m_version->bits : 0;
    out.keys_is_object = m_keys_is_object;
  }

private:
  // The value, if it is an integer (nlohmann's is_number_integer()); any
  // other value is only checked. `levels`: the nesting left for it.
  static bool read_integer(ondemand::value value, std::optional<Integer>& out, int levels) {
    out.reset();
    auto type = util::json_type_of(value);
    if (!type) {
      return false;
    }
    if (*type != ondemand::json_type::number) {
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
    m_sink.clear(m_sink.context);
    m_keys_is_object = false;
    return util::if_object(value, k_max_state_depth - 1, [&](ondemand::object& keys) {
      m_keys_is_object = true;
      return util::for_each_field(keys, [&](std::string_view fingerprint, ondemand::value field) {
        bridge_json_entry entry{};
        entry.fingerprint = to_text(fingerprint);
        return read_entry(field, entry) && m_sink.entry(m_sink.context, &entry) != 0;
      });
    });
  }

  // One entry (depth 3): its fields, when it is an object.
  static bool read_entry(ondemand::value value, bridge_json_entry& entry) {
    constexpr int k_levels = k_max_state_depth - 2;
    return util::if_object(value, k_levels, [&](ondemand::object& object) {
      entry.is_object = 1;
      return util::for_each_field(object, [&](std::string_view name, ondemand::value field) {
        return read_entry_field(name, field, entry, k_levels - 1);
      });
    });
  }

  // One field of an entry (depth 4).
  static bool read_entry_field(std::string_view name, ondemand::value value,
                               bridge_json_entry& entry, int levels) {
    if (name == "status") {
      std::optional<Integer> status;
      if (!read_integer(value, status, levels)) {
        return false;
      }
      entry.status = status ? status->bits : 0;
      return true;
    }
    if (name == "models") {
      return read_models(value, entry.models, levels);
    }
    for (const auto& member_of_entry : k_text_members) {
      if (name == member_of_entry.name) {
        return read_text(value, entry.*member_of_entry.field, levels);
      }
    }
    return util::check_json_value(value, levels);
  }

  // The JSON text of "models" when it is an object (per-model marks are rare
  // enough for bridge to read with nlohmann, from simdjson's view of the
  // text); any other value is only checked.
  static bool read_models(ondemand::value value, bridge_json_text& out, int levels) {
    out = {};
    return util::if_object(value, levels, [&](ondemand::object& object) {
      std::string_view raw;
      if (object.raw_json().get(raw)) {
        return false;
      }
      out = to_text(raw);
      return true;
    });
  }

  // The value, if it is a string; empty for any other (checked) value.
  static bool read_text(ondemand::value value, bridge_json_text& out, int levels) {
    std::optional<std::string_view> text;
    bool read = util::read_string(value, levels, text);
    out = text ? to_text(*text) : bridge_json_text{};
    return read;
  }

  const bridge_json_marks_sink& m_sink;
  util::FastJsonReader m_reader;
  std::optional<Integer> m_version;
  bool m_keys_is_object = true; // no "keys" at all is an empty one
};

} // namespace

extern "C" int bridge_json_state_marks(const char* text, std::size_t size,
                                       const bridge_json_marks_sink* sink,
                                       bridge_json_state_top* top) {
  try {
    MarkWalk walk(*sink);
    if (!walk.run(std::string_view(text, size))) {
      return BRIDGE_JSON_UNDECIDED;
    }
    walk.top(*top);
    return 1;
  } catch (...) {
    return BRIDGE_JSON_UNDECIDED;
  }
}

} // namespace state
