/* The C interface between bridge and its JSON plugin, bridge-json.so.
 *
 * The fast JSON readers (simdjson On-Demand) live in a shared object that
 * bridge loads with dlopen() the first time it reads JSON in bulk
 * (util/json_plugin.hpp): libsimdjson.so needs the shared libstdc++, and
 * loading both at every start-up costs a one-shot `ask` about 3.5 M
 * instructions of dynamic linking. The plugin links the shared C++ runtime,
 * bridge its static one, so nothing of the C++ library crosses this line:
 * only C types, buffers the caller owns, and callbacks.
 *
 * Every reader returns BRIDGE_JSON_UNDECIDED when simdjson refuses the text
 * or cannot judge it (util/json_reader.hpp): nlohmann::json then has the
 * last word, as it does when the plugin cannot be loaded at all. */
#ifndef BRIDGE_UTIL_JSON_PLUGIN_ABI_H
#define BRIDGE_UTIL_JSON_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Raised whenever a member of bridge_json_api changes: bridge refuses a
 * plugin of another version (and reads with nlohmann). */
#define BRIDGE_JSON_ABI_VERSION 1
#define BRIDGE_JSON_API_SYMBOL "bridge_json_api_v1"
#define BRIDGE_JSON_UNDECIDED (-1)

/* Receives decoded text: `size` bytes at `data`, valid during the call. */
typedef void (*bridge_json_sink)(void* context, const char* data, size_t size);

/* A piece of text inside the parsed document: valid until the reader
 * returns. */
struct bridge_json_text {
  const char* data;
  size_t size;
};

/* The fields of one entry of the state file's "keys" that make a mark
 * (state/file/mark_reader.hpp). A value of another type is empty text or
 * status 0; `models` is the raw JSON text of "models" when it is an object
 * (bridge checks its depth and reads it). */
struct bridge_json_entry {
  struct bridge_json_text fingerprint;
  int is_object; /* 0: the entry is another value, and makes no mark */
  struct bridge_json_text mark;
  struct bridge_json_text since;
  struct bridge_json_text until;
  struct bridge_json_text reason;
  uint64_t status; /* nlohmann's get<int>() takes the low 32 bits */
  struct bridge_json_text models;
};

/* What the walk over a state file calls: `clear` when a "keys" member
 * starts (a repeated one counts by its last value), `entry` for each of its
 * entries, in order; `entry` returns 0 to stop the walk (undecided). */
struct bridge_json_marks_sink {
  void* context;
  void (*clear)(void* context);
  int (*entry)(void* context, const struct bridge_json_entry* entry);
};

/* The top-level facts of a state file the walk accepted. */
struct bridge_json_state_top {
  int has_version; /* the last "version" was an integer */
  int version_is_unsigned;
  uint64_t version_bits; /* two's complement when signed */
  int keys_is_object;    /* no "keys" at all counts as an empty object */
};

struct bridge_json_api {
  uint32_t abi_version; /* BRIDGE_JSON_ABI_VERSION */
  /* A blocking answer's text (upstream/answer_text.hpp): 1 with the text
   * given to `sink` once, 0 when the body holds no answer. */
  int (*anthropic_answer)(const char* body, size_t size, void* context, bridge_json_sink sink);
  int (*openai_answer)(const char* body, size_t size, void* context, bridge_json_sink sink);
  /* One stream event (upstream/text_delta.hpp, openai_chunk.hpp): the kind
   * as its enum's value, the text given to `sink` when it is text. */
  int (*text_delta)(const char* data, size_t size, void* context, bridge_json_sink sink);
  int (*openai_chunk)(const char* data, size_t size, void* context, bridge_json_sink sink);
  /* The marks of a state file: 1 when the walk accepted the text (`top`
   * filled), else undecided. */
  int (*state_marks)(const char* text, size_t size, const struct bridge_json_marks_sink* sink,
                     struct bridge_json_state_top* top);
};

/* The one symbol the plugin exports. */
const struct bridge_json_api* bridge_json_api_v1(void);

#ifdef __cplusplus
}
#endif

#endif
