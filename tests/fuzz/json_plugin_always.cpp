// Linked into the fuzz targets of the JSON readers and into the unit tests:
// the fast readers live in the JSON plugin (util/json_plugin.hpp), which
// bridge loads only for bulk JSON. Here it is loaded from the build tree at
// start and asked for every text, however small, so that each input goes
// through simdjson first (the differential checks would otherwise compare
// nlohmann with itself). A plugin that does not load stops the program.
#include "util/json_plugin.hpp"

#include <cstdio>
#include <cstdlib>

namespace {

const bool g_plugin_always = [] {
  util::set_json_plugin_path(BRIDGE_JSON_PLUGIN_FILE);
  util::set_json_plugin_use(util::JsonPluginUse::always);
  if (util::json_plugin(0) == nullptr) {
    std::fputs("cannot load the JSON plugin " BRIDGE_JSON_PLUGIN_FILE "\n", stderr);
    std::abort();
  }
  return true;
}();

} // namespace
