#pragma once

// Where bridge's fast JSON readers come from: a shared object of its own,
// bridge-json.so (util/json_plugin_abi.h), loaded with dlopen() the first
// time bridge reads JSON in bulk. libsimdjson.so brings in the shared
// libstdc++, and binding both at every start-up made a one-shot `ask` pay
// some 3.5 M instructions of dynamic linking for a parser it did not need:
// an ordinary answer or state file is read faster by nlohmann::json than the
// plugin is loaded. So texts go to nlohmann until k_json_bulk_bytes have been
// read in this process, and to the plugin from then on.
//
// Either way the result is the same (util/json_reader.hpp: simdjson decides
// only what it accepts, nlohmann has the last word), so a plugin that is
// missing or refuses to load only makes bulk reading slower; bridge says
// nothing about it.
#include "util/json_plugin_abi.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace util {

// Bytes of JSON read (counting the text at hand) from which the plugin is
// worth loading: about where simdjson's saving per byte over nlohmann pays
// for loading it (bench/README.md, "The JSON plugin": about 66 kB of an answer).
constexpr std::size_t k_json_bulk_bytes = 64 * 1024;

// The plugin's readers for a text of `bytes`, or nullptr: while less than
// k_json_bulk_bytes have been read, or when the plugin cannot be loaded.
// Loaded once per process, beside the executable (the build tree) or in
// BRIDGE_JSON_PLUGIN_DIR relative to it (the installed layout). Thread-safe;
// never throws.
const bridge_json_api* json_plugin(std::size_t bytes);

// One of the plugin's readers of text with a decoded text as result (the
// answer, a delta, a chunk): the verdict, with the text appended to `out`.
// nullopt when there is no plugin for `data` or it left the text undecided;
// `out` is then as it was.
using JsonTextReader = int (*bridge_json_api::*)(const char*, std::size_t, void*, bridge_json_sink);
std::optional<int> read_with_plugin(JsonTextReader reader, std::string_view data, std::string& out);

// The same, the verdict as the reader's enum (its values are the ABI's).
template <typename Kind>
std::optional<Kind> read_kind_with_plugin(JsonTextReader reader, std::string_view data,
                                          std::string& out) {
  auto verdict = read_with_plugin(reader, data, out);
  return verdict ? std::optional<Kind>(static_cast<Kind>(*verdict)) : std::nullopt;
}

// For tests and fuzz targets: `automatic` is the rule above, `always` asks
// for the plugin whatever the size, `never` reads everything with nlohmann.
enum class JsonPluginUse { automatic, always, never };
void set_json_plugin_use(JsonPluginUse use);

// For tests and fuzz targets: load the plugin from `path` instead of beside
// the executable. Only before the first load.
void set_json_plugin_path(std::string path);

// Whether the plugin is loaded in this process.
bool json_plugin_loaded();

} // namespace util
