#include "upstream/text_delta.hpp"

#include "util/json_text.hpp"

#include <nlohmann/json.hpp>

namespace upstream {

namespace {

constexpr std::string_view k_head = R"({"type":"content_block_delta","index":)";
constexpr std::string_view k_middle = R"(,"delta":{"type":"text_delta","text":")";
constexpr std::string_view k_tail = "}}";

// Decodes the JSON string whose body starts at `pos` (after the opening
// quote). Returns the position after the closing quote, or npos when the
// string is not one the fast path is sure about (the caller then falls
// back to the full parser, which has the last word).
std::size_t decode_string(std::string_view s, std::size_t pos, std::string& out) {
  while (pos < s.size()) {
    // Copy the run of plain bytes in one go (sixteen bytes at a time).
    std::size_t run =
        static_cast<std::size_t>(util::find_json_special(s.data() + pos, s.data() + s.size()) - s.data());
    out.append(s.substr(pos, run - pos));
    pos = run;
    if (pos >= s.size()) {
      return std::string_view::npos;
    }
    char c = s[pos];
    if (c == '"') {
      return pos + 1;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      std::size_t length = util::utf8_sequence(s.data() + pos, s.data() + s.size());
      if (length == 0) {
        return std::string_view::npos; // invalid UTF-8: the full parser refuses it
      }
      out.append(s.substr(pos, length));
      pos += length;
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20) {
      return std::string_view::npos; // control bytes are invalid JSON
    }
    // An escape.
    const char* next = util::decode_json_escape(s.data() + pos + 1, s.data() + s.size(), out);
    if (next == nullptr) {
      return std::string_view::npos;
    }
    pos = static_cast<std::size_t>(next - s.data());
  }
  return std::string_view::npos;
}

} // namespace

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
  if (type == delta->end() || !type->is_string() || type->get_ref<const std::string&>() != "text_delta") {
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

DeltaKind append_text_delta(std::string_view data, std::string& out) {
  if (data.substr(0, k_head.size()) == k_head) {
    std::size_t pos = k_head.size();
    std::size_t digits = pos;
    while (digits < data.size() && data[digits] >= '0' && data[digits] <= '9') {
      ++digits;
    }
    bool index_ok = digits > pos && (data[pos] != '0' || digits == pos + 1);
    if (index_ok && data.substr(digits, k_middle.size()) == k_middle) {
      std::size_t mark = out.size();
      std::size_t end = decode_string(data, digits + k_middle.size(), out);
      if (end != std::string_view::npos && data.substr(end) == k_tail) {
        return DeltaKind::text;
      }
      out.resize(mark); // not sure: undo, and let the full parser decide
    }
  }
  std::string text;
  DeltaKind kind = decode_text_delta_slow(data, text);
  if (kind == DeltaKind::text) {
    out += text;
  }
  return kind;
}

} // namespace upstream
