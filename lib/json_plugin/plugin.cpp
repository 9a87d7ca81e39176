// The one exported symbol of bridge-json.so (util/json_plugin_abi.h): the
// table of the fast JSON readers, each defined beside the nlohmann reader it
// stands in for and compiled into this plugin alone (BRIDGE_JSON_PLUGIN).
#include "util/json_plugin_abi.h"

extern "C" {

int bridge_json_anthropic_answer(const char* body, size_t size, void* context,
                                 bridge_json_sink sink);
int bridge_json_openai_answer(const char* body, size_t size, void* context, bridge_json_sink sink);
int bridge_json_text_delta(const char* data, size_t size, void* context, bridge_json_sink sink);
int bridge_json_openai_chunk(const char* data, size_t size, void* context, bridge_json_sink sink);
int bridge_json_state_marks(const char* text, size_t size,
                            const struct bridge_json_marks_sink* sink,
                            struct bridge_json_state_top* top);

__attribute__((visibility("default"))) const struct bridge_json_api* bridge_json_api_v1(void) {
  static const bridge_json_api api = {
      BRIDGE_JSON_ABI_VERSION, bridge_json_anthropic_answer, bridge_json_openai_answer,
      bridge_json_text_delta,  bridge_json_openai_chunk,     bridge_json_state_marks,
  };
  return &api;
}

} // extern "C"
