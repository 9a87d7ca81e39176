#include "upstream/text_delta.hpp"

// The fast reader is built into the JSON plugin (util/json_plugin.hpp), the
// rest into bridge.
#ifdef BRIDGE_JSON_PLUGIN
#include "util/json_check.hpp"
#include "util/json_plugin_abi.h"
#include "util/json_reader.hpp"
#else
#include "util/fast_or_full.hpp"
#include "util/json_plugin.hpp"
#endif

#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace upstream {

#ifdef BRIDGE_JSON_PLUGIN
namespace {

namespace ondemand = simdjson::ondemand;

// Arrays and objects deeper than this are left to nlohmann (which has no
// limit): a delta has two levels, and the check recurses once per level.
constexpr int k_max_depth = 64;

// The parts of the event that decide its kind. Views into the parser's
// buffer; a repeated name counts by its last value, as in nlohmann's DOM.
struct DeltaFields {
  bool delta_is_object = false;
  std::optional<std::string_view> type; // set when "type" is a string
  std::optional<std::string_view> text; // set when "text" is a string
};

bool read_delta(ondemand::value value, DeltaFields& fields) {
  fields = {};
  return util::if_object(value, k_max_depth - 1, [&](ondemand::object& delta) {
    fields.delta_is_object = true;
    return util::for_each_field(delta, [&](std::string_view name, ondemand::value field) {
      return name == "type"   ? util::read_string(field, k_max_depth - 2, fields.type)
             : name == "text" ? util::read_string(field, k_max_depth - 2, fields.text)
                              : util::check_json_value(field, k_max_depth - 2);
    });
  });
}

// The fast reader of text deltas, one for the whole stream (its parser keeps
// its buffers from one event to the next); util::fast_or_full pairs it with
// decode_text_delta_slow.
class DeltaReader {
public:
  // The kind, with the text appended to `out`; nullopt when simdjson refuses
  // the text and the full parser must decide.
  std::optional<DeltaKind> read(std::string_view data, std::string& out) {
    ondemand::document document;
    ondemand::object top;
    if (!m_json.top_object(data, document, top)) {
      return std::nullopt; // not an object, or refused: the full parser decides
    }
    DeltaFields fields;
    bool read = util::for_each_field(top, [&](std::string_view name, ondemand::value field) {
      return name == "delta" ? read_delta(field, fields)
                             : util::check_json_value(field, k_max_depth - 1);
    });
    if (!read) {
      return std::nullopt;
    }
    if (!util::json_document_ends(document)) {
      return std::nullopt;
    }
    // The order of decode_text_delta_slow's checks.
    if (!fields.delta_is_object) {
      return DeltaKind::malformed;
    }
    if (fields.type != "text_delta") {
      return DeltaKind::other;
    }
    if (!fields.text) {
      return DeltaKind::malformed;
    }
    out += *fields.text;
    return DeltaKind::text;
  }

private:
  util::FastJsonReader m_json;
};

} // namespace

// The plugin's entry (util/json_plugin_abi.h).
extern "C" int bridge_json_text_delta(const char* data, std::size_t size, void* context,
                                      bridge_json_sink sink) {
  return util::read_stream_event<DeltaReader>(std::string_view(data, size), context, sink);
}

#else

DeltaKind decode_text_delta_slow(std::string_view data, std::string& text) {
  auto parsed = nlohmann::json::parse(data, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return DeltaKind::malformed;
  }
  auto delta = parsed.find("delta");
  if (delta == parsed.end() || !delta->is_object()) {
    return DeltaKind::malformed;
  }
  auto type = delta->find("type");
  if (type == delta->end() || !type->is_string() ||
      type->get_ref<const std::string&>() != "text_delta") {
    return DeltaKind::other;
  }
  auto value = delta->find("text");
  if (value == delta->end() || !value->is_string()) {
    return DeltaKind::malformed;
  }
  text = value->get<std::string>();
  return DeltaKind::text;
}

DeltaKind decode_text_delta(std::string_view data, std::string& text) {
  text.clear();
  return append_text_delta(data, text);
}

namespace {
// The layout the API sends every text delta in, byte for byte:
//   {"type":"content_block_delta","index":N,"delta":{"type":"text_delta","text":"TEXT"}}
// Nothing in it can be repeated, nested or escaped, so when TEXT holds no
// quote, backslash, control or non-ASCII byte the event is valid JSON whose
// text is TEXT itself, whatever parser reads it. Such an event needs no
// parser: one scan of TEXT, 16 bytes at a time. Any other layout or byte
// goes to the plugin's reader, or to nlohmann (nullopt).
constexpr std::string_view k_usual_head = R"({"type":"content_block_delta","index":)";
constexpr std::string_view k_usual_middle = R"(,"delta":{"type":"text_delta","text":")";
constexpr std::string_view k_usual_tail = R"("}})";

bool plain_byte(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte >= ' ' && byte < 0x80 && byte != '"' && byte != '\\';
}

// Whether `text` holds only printable ASCII other than '"' and '\\'.
bool plain_ascii(std::string_view text) {
  const char* data = text.data();
  std::size_t size = text.size();
  std::size_t i = 0;
#if defined(__SSE2__)
  // 32 bytes a round. As signed bytes, every byte from 0x80 up is negative,
  // so one compare finds control and non-ASCII bytes alike. The verdicts are
  // gathered and looked at once: a delta is nearly always plain.
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  auto stops = [&](std::size_t at) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + at));
    return _mm_or_si128(
        _mm_cmplt_epi8(bytes, space),
        _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)));
  };
  __m128i seen = _mm_setzero_si128();
  for (; i + 32 <= size; i += 32) {
    seen = _mm_or_si128(seen, _mm_or_si128(stops(i), stops(i + 16)));
  }
  if (_mm_movemask_epi8(seen) != 0) {
    return false;
  }
#endif
  for (; i < size; ++i) {
    if (!plain_byte(data[i])) {
      return false;
    }
  }
  return true;
}

std::optional<DeltaKind> read_usual(std::string_view data, std::string& out) {
  if (data.substr(0, k_usual_head.size()) != k_usual_head ||
      data.size() < k_usual_head.size() + 1 + k_usual_middle.size() + k_usual_tail.size() ||
      data.substr(data.size() - k_usual_tail.size()) != k_usual_tail) {
    return std::nullopt;
  }
  std::string_view rest = data.substr(k_usual_head.size());
  // The index: 0, or up to 18 digits without a leading zero (JSON's grammar).
  std::size_t digits = 0;
  while (digits < rest.size() && digits < 18 && rest[digits] >= '0' && rest[digits] <= '9') {
    ++digits;
  }
  if (digits == 0 || (rest[0] == '0' && digits > 1)) {
    return std::nullopt;
  }
  rest.remove_prefix(digits);
  if (rest.substr(0, k_usual_middle.size()) != k_usual_middle ||
      rest.size() < k_usual_middle.size() + k_usual_tail.size()) {
    return std::nullopt;
  }
  std::string_view text =
      rest.substr(k_usual_middle.size(), rest.size() - k_usual_middle.size() - k_usual_tail.size());
  if (!plain_ascii(text)) {
    return std::nullopt;
  }
  out += text;
  return DeltaKind::text;
}

// The plugin's reader (util/json_plugin.hpp); nullopt when there is none or
// simdjson refused the text.
std::optional<DeltaKind> read_fast(std::string_view data, std::string& out) {
  return util::read_kind_with_plugin<DeltaKind>(&bridge_json_api::text_delta, data, out);
}
} // namespace

DeltaKind append_text_delta(std::string_view data, std::string& out) {
  if (auto kind = read_usual(data, out)) {
    return *kind;
  }
  return util::fast_or_full([&] { return read_fast(data, out); },
                            [&] {
                              std::string text;
                              DeltaKind kind = decode_text_delta_slow(data, text);
                              if (kind == DeltaKind::text) {
                                out += text;
                              }
                              return kind;
                            });
}

#endif

} // namespace upstream
