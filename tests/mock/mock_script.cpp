#include "mock_script.hpp"
#include "mock_recorder.hpp"

#include <cctype>
#include <deque>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace mock {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw std::runtime_error(where + ": " + what);
}

std::int64_t get_int(const json& j, const std::string& where, const char* name) {
  const json& v = j.at(name);
  if (!v.is_number_integer() && !v.is_number_unsigned()) {
    bad(where, std::string("field '") + name + "' must be an integer");
  }
  return v.get<std::int64_t>();
}

std::int64_t get_count(const json& j, const std::string& where, const char* name) {
  const std::int64_t v = get_int(j, where, name);
  if (v < 0) {
    bad(where, std::string("field '") + name + "' must not be negative");
  }
  return v;
}

std::string get_string(const json& j, const std::string& where, const char* name) {
  const json& v = j.at(name);
  if (!v.is_string()) {
    bad(where, std::string("field '") + name + "' must be a string");
  }
  return v.get<std::string>();
}

// Cuts `text` into about three pieces without splitting a UTF-8 sequence, so
// that every delta is valid JSON text on its own, as with the real API.
std::vector<std::string> split_in_three(const std::string& text) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  for (int i = 1; i <= 3 && start < text.size(); ++i) {
    std::size_t end = i == 3 ? text.size() : text.size() * static_cast<std::size_t>(i) / 3;
    // Continuation bytes look like 10xxxxxx; never cut just before one.
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
      ++end;
    }
    if (end > start) {
      pieces.push_back(text.substr(start, end - start));
      start = end;
    }
  }
  return pieces;
}

const std::set<std::string> k_response_fields = {
    "status",        "headers",    "content_type", "body",       "chunks",        "delay_ms",
    "text",          "deltas",     "pace_ms",      "gate_file",  "error_after",   "error_type",
    "error_message", "drop_after", "stall_after",  "stall_ms",   "stream_bytes",  "delta_size",
    "ping",          "preamble",   "binary",       "error_code", "corrupt_after", "truncate_after",
};

// Decodes "\xHH" (a backslash, x, two hex digits) into the byte 0xHH; any
// other character, backslashes included, is kept as it is.
std::string decode_binary(const std::string& text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] == 'x' && hex(text[i + 2]) >= 0 &&
        hex(text[i + 3]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 2]) * 16 + hex(text[i + 3])));
      i += 3;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::vector<response_spec> parse_response_list(const json& j, const std::string& where) {
  std::vector<response_spec> list;
  if (j.is_array()) {
    if (j.empty()) {
      bad(where, "a response list must not be empty");
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
      list.push_back(parse_response(j[i], where + "[" + std::to_string(i) + "]"));
    }
  } else {
    // A single object is accepted as a one-element list: it repeats forever.
    list.push_back(parse_response(j, where));
  }
  return list;
}

} // namespace

response_spec parse_response(const json& j, const std::string& where) {
  if (!j.is_object()) {
    bad(where, "a response must be a JSON object");
  }
  for (const auto& [name, value] : j.items()) {
    if (k_response_fields.count(name) == 0) {
      bad(where, "unknown field '" + name + "'");
    }
  }

  response_spec r;
  if (j.contains("status")) {
    const std::int64_t status = get_int(j, where, "status");
    // 1xx would break the HTTP exchange itself rather than test a client.
    if (status < 200 || status > 599) {
      bad(where, "status must be between 200 and 599");
    }
    r.status = static_cast<int>(status);
  }
  if (j.contains("headers")) {
    const json& h = j.at("headers");
    if (!h.is_object()) {
      bad(where, "field 'headers' must be an object");
    }
    for (const auto& [name, value] : h.items()) {
      // Numbers are accepted so that `"retry-after": 3` reads naturally.
      std::string text = value.is_string() ? value.get<std::string>() : value.dump();
      std::string lower = name;
      for (char& c : lower) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      if (lower == "content-type") {
        r.content_type = std::move(text);
      } else {
        r.headers.emplace_back(name, std::move(text));
      }
    }
  }
  if (j.contains("content_type")) {
    r.content_type = get_string(j, where, "content_type");
  }
  if (j.contains("body")) {
    r.body = get_string(j, where, "body");
  }
  if (j.contains("chunks")) {
    const json& c = j.at("chunks");
    if (!c.is_array()) {
      bad(where, "field 'chunks' must be an array of strings");
    }
    r.chunks.emplace();
    for (const json& piece : c) {
      if (!piece.is_string()) {
        bad(where, "field 'chunks' must be an array of strings");
      }
      r.chunks->push_back(piece.get<std::string>());
    }
  }
  if (j.contains("delay_ms")) {
    r.delay_ms = static_cast<int>(get_count(j, where, "delay_ms"));
  }
  if (j.contains("pace_ms")) {
    r.pace_ms = static_cast<int>(get_count(j, where, "pace_ms"));
  }
  if (j.contains("gate_file")) {
    r.gate_file = get_string(j, where, "gate_file");
  }
  if (j.contains("deltas")) {
    const json& d = j.at("deltas");
    if (!d.is_array()) {
      bad(where, "field 'deltas' must be an array of strings");
    }
    for (const json& piece : d) {
      if (!piece.is_string()) {
        bad(where, "field 'deltas' must be an array of strings");
      }
      r.deltas.push_back(piece.get<std::string>());
    }
  }
  if (j.contains("text")) {
    r.text = get_string(j, where, "text");
    if (!j.contains("deltas")) {
      r.deltas = split_in_three(r.text);
    }
  } else if (j.contains("deltas")) {
    // Given only the deltas, the blocking answer is what they add up to.
    r.text.clear();
    for (const std::string& piece : r.deltas) {
      r.text += piece;
    }
  } else {
    r.deltas = split_in_three(r.text);
  }
  if (j.contains("error_after")) {
    r.error_after = get_count(j, where, "error_after");
  }
  if (j.contains("error_type")) {
    r.error_type = get_string(j, where, "error_type");
  }
  if (j.contains("error_message")) {
    r.error_message = get_string(j, where, "error_message");
  }
  if (j.contains("error_code")) {
    r.error_code = get_string(j, where, "error_code");
  }
  if (j.contains("drop_after")) {
    r.drop_after = get_count(j, where, "drop_after");
  }
  if (j.contains("corrupt_after")) {
    r.corrupt_after = get_count(j, where, "corrupt_after");
  }
  if (j.contains("truncate_after")) {
    r.truncate_after = get_count(j, where, "truncate_after");
  }
  if (j.contains("stall_after")) {
    r.stall_after = get_count(j, where, "stall_after");
  }
  if (j.contains("stall_ms")) {
    r.stall_ms = get_count(j, where, "stall_ms");
  }
  if (j.contains("stream_bytes")) {
    r.stream_bytes = static_cast<std::uint64_t>(get_count(j, where, "stream_bytes"));
  }
  if (j.contains("delta_size")) {
    const std::int64_t size = get_count(j, where, "delta_size");
    if (size == 0) {
      bad(where, "field 'delta_size' must be positive");
    }
    r.delta_size = static_cast<std::size_t>(size);
  }
  if (j.contains("binary")) {
    if (!j.at("binary").is_boolean()) {
      bad(where, "field 'binary' must be true or false");
    }
    r.binary = j.at("binary").get<bool>();
    if (r.binary && r.body) {
      r.body = decode_binary(*r.body);
    }
    if (r.binary && r.chunks) {
      for (std::string& piece : *r.chunks) {
        piece = decode_binary(piece);
      }
    }
  }
  if (j.contains("error_code")) {
    r.error_code = get_string(j, where, "error_code");
  }
  if (j.contains("ping")) {
    if (!j.at("ping").is_boolean()) {
      bad(where, "field 'ping' must be true or false");
    }
    r.ping = j.at("ping").get<bool>();
  }
  if (j.contains("preamble")) {
    if (!j.at("preamble").is_boolean()) {
      bad(where, "field 'preamble' must be true or false");
    }
    r.preamble = j.at("preamble").get<bool>();
  }
  return r;
}

void script::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read script file " + path);
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  json j;
  try {
    j = json::parse(buffer.str());
  } catch (const json::parse_error& e) {
    throw std::runtime_error("script " + path + " is not valid JSON: " + e.what());
  }
  if (!j.is_object()) {
    bad("script", "the top level must be an object");
  }
  for (const auto& [name, value] : j.items()) {
    if (name != "keys" && name != "default" && name != "never_accept" && name != "backlog" &&
        name != "models" && name != "probe" && name != "probe_default" && name != "buckets") {
      bad("script", "unknown top-level field '" + name + "'");
    }
  }
  if (j.contains("never_accept")) {
    if (!j.at("never_accept").is_boolean()) {
      bad("script", "'never_accept' must be true or false");
    }
    m_never_accept = j.at("never_accept").get<bool>();
  }
  if (j.contains("backlog")) {
    const std::int64_t backlog = get_count(j, "script", "backlog");
    if (backlog > 4096) {
      bad("script", "'backlog' must be at most 4096");
    }
    m_backlog = static_cast<int>(backlog);
  }
  if (j.contains("keys")) {
    const json& keys = j.at("keys");
    if (!keys.is_object()) {
      bad("script", "'keys' must be an object");
    }
    for (const auto& [key, list] : keys.items()) {
      m_keys[key] = parse_response_list(list, "keys." + key);
    }
  }
  if (j.contains("default")) {
    m_default = parse_response_list(j.at("default"), "default");
  }
  if (j.contains("models")) {
    const json& models = j.at("models");
    if (!models.is_object()) {
      bad("script", "'models' must be an object of keys");
    }
    for (const auto& [key, per_model] : models.items()) {
      if (!per_model.is_object()) {
        bad("models." + key, "must be an object of models");
      }
      for (const auto& [model, list] : per_model.items()) {
        m_models[key][model] = parse_response_list(list, "models." + key + "." + model);
      }
    }
  }
  if (j.contains("probe")) {
    const json& probe = j.at("probe");
    if (!probe.is_object()) {
      bad("script", "'probe' must be an object");
    }
    for (const auto& [key, list] : probe.items()) {
      m_probe[key] = parse_response_list(list, "probe." + key);
    }
  }
  if (j.contains("probe_default")) {
    m_probe_default = parse_response_list(j.at("probe_default"), "probe_default");
  }
  if (j.contains("buckets")) {
    const json& b = j.at("buckets");
    if (!b.is_object() || !b.contains("requests") || !b.contains("per_ms") || b.size() != 2) {
      bad("script", "'buckets' must be {\"requests\": N, \"per_ms\": T}");
    }
    bucket_spec spec{get_count(b, "buckets", "requests"), get_count(b, "buckets", "per_ms")};
    if (spec.requests == 0 || spec.per_ms == 0) {
      bad("script", "'buckets' needs positive numbers");
    }
    m_buckets = spec;
  }
  m_unauthorized.status = 401;
  m_unauthorized.error_message = "invalid x-api-key";
}

const response_spec& script::next_for(const std::optional<std::string>& key,
                                      const std::string& model) {
  if (key) {
    auto it = m_models.find(*key);
    if (it != m_models.end()) {
      auto list = it->second.find(model);
      if (list != it->second.end()) {
        std::lock_guard lock(m_mutex);
        std::size_t& cursor = m_model_cursor[*key + "\n" + model];
        const std::size_t index = cursor < list->second.size() ? cursor : list->second.size() - 1;
        ++cursor;
        return list->second[index];
      }
    }
  }
  return next_for(key);
}

const response_spec& script::next_probe_for(const std::optional<std::string>& key) {
  std::lock_guard lock(m_mutex);
  auto take = [](const std::vector<response_spec>& list,
                 std::size_t& cursor) -> const response_spec& {
    const std::size_t index = cursor < list.size() ? cursor : list.size() - 1;
    ++cursor;
    return list[index];
  };
  if (key) {
    auto it = m_probe.find(*key);
    if (it != m_probe.end()) {
      return take(it->second, m_probe_cursor[*key]);
    }
  }
  if (!m_probe_default.empty()) {
    return take(m_probe_default, m_probe_default_cursor);
  }
  if (key) {
    // A key scripted to be refused (401/403) is refused on every route.
    auto it = m_keys.find(*key);
    if (it != m_keys.end()) {
      for (const response_spec& spec : it->second) {
        if (spec.status == 401 || spec.status == 403) {
          return spec;
        }
      }
    }
  }
  if (key && (m_keys.count(*key) > 0 || m_models.count(*key) > 0 || !m_default.empty())) {
    return m_probe_ok;
  }
  return m_unauthorized;
}

const response_spec& script::next_for(const std::optional<std::string>& key) {
  std::lock_guard lock(m_mutex);
  // Each list is consumed in order and its last element repeats forever.
  auto take = [](const std::vector<response_spec>& list,
                 std::size_t& cursor) -> const response_spec& {
    const std::size_t index = cursor < list.size() ? cursor : list.size() - 1;
    ++cursor;
    return list[index];
  };
  if (key) {
    auto it = m_keys.find(*key);
    if (it != m_keys.end()) {
      return take(it->second, m_cursor[*key]);
    }
  }
  if (!m_default.empty()) {
    return take(m_default, m_default_cursor);
  }
  return m_unauthorized;
}

namespace {

void substitute(std::string& text, const std::string& credential, const std::string& key) {
  for (const auto& [placeholder, value] :
       {std::pair<std::string, const std::string&>{"{{credential}}", credential},
        std::pair<std::string, const std::string&>{"{{key}}", key}}) {
    for (std::size_t at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + value.size())) {
      text.replace(at, placeholder.size(), value);
    }
  }
}

bool names_credential(const std::optional<std::string>& text) {
  return text && (text->find("{{credential}}") != std::string::npos ||
                  text->find("{{key}}") != std::string::npos);
}

} // namespace

const response_spec& reflecting(const response_spec& spec, const httplib::Request& req) {
  bool reflects = names_credential(spec.body) || names_credential(spec.error_type) ||
                  names_credential(spec.error_message) || names_credential(spec.error_code);
  if (spec.chunks) {
    for (const auto& chunk : *spec.chunks) {
      reflects = reflects || names_credential(chunk);
    }
  }
  if (!reflects) {
    return spec;
  }
  const std::string credential = req.has_header("x-api-key")
                                     ? req.get_header_value("x-api-key")
                                     : req.get_header_value("authorization");
  const std::string key = api_key_of(req).value_or("");
  static std::mutex mutex;
  static std::deque<response_spec> copies; // never shrinks: a test sends few such requests
  std::lock_guard<std::mutex> lock(mutex);
  response_spec& copy = copies.emplace_back(spec);
  for (auto* field : {&copy.body, &copy.error_type, &copy.error_message, &copy.error_code}) {
    if (*field) {
      substitute(**field, credential, key);
    }
  }
  if (copy.chunks) {
    for (auto& chunk : *copy.chunks) {
      substitute(chunk, credential, key);
    }
  }
  return copy;
}

} // namespace mock
