#include "state/file/mark_reader.hpp"

#include "util/fast_or_full.hpp"
#include "util/json_plugin.hpp"

#include <climits>
#include <cstdint>
#include <exception>
#include <optional>

namespace state {

namespace {

std::string_view view(bridge_json_text text) { return {text.data, text.size}; }

// StateDocument's reading of an entry the plugin's walk (mark_walk.cpp) gave:
// the key-wide mark, and the per-model marks and limits under "models".
// False when nlohmann refuses the models' text, or it nests deeper than
// StateDocument reads (the caller then asks StateDocument).
bool to_marks(const bridge_json_entry& entry, std::optional<pool::KeyMarks>& out) {
  out.reset();
  if (entry.is_object == 0) {
    return true; // not an object: no mark
  }
  pool::KeyMarks marks;
  marks.key_wide = mark_from_fields(view(entry.mark), view(entry.since), view(entry.until),
                                    static_cast<int>(entry.status), view(entry.reason));
  std::string_view models = view(entry.models);
  if (!models.empty() &&
      (nests_deeper_than(models, k_max_state_depth - 3) || !read_model_marks_text(models, marks))) {
    return false;
  }
  if (!marks.empty()) {
    out = std::move(marks);
  }
  return true;
}

// The marks of one walk, made as the plugin hands over the entries. A
// repeated fingerprint counts by its last entry; an exception (no memory) is
// kept from crossing the plugin's C frames and thrown again after the walk.
struct MarkCollector {
  pool::MarkMap found;
  std::exception_ptr failure;

  static void clear(void* context) { static_cast<MarkCollector*>(context)->found.clear(); }

  static int entry(void* context, const bridge_json_entry* entry) {
    auto* collector = static_cast<MarkCollector*>(context);
    try {
      std::optional<pool::KeyMarks> mark;
      if (!to_marks(*entry, mark)) {
        return 0;
      }
      std::string fingerprint(view(entry->fingerprint));
      if (mark) {
        collector->found.insert_or_assign(std::move(fingerprint), std::move(*mark));
      } else if (!collector->found.empty()) {
        collector->found.erase(fingerprint);
      }
      return 1;
    } catch (...) {
      collector->failure = std::current_exception();
      return 0;
    }
  }
};

// The verdict of StateDocument::parse on a text the walk accepted: the
// checks of StateDocument::parse, in the same order, with its words.
StateDocument::Parse verdict_of(const bridge_json_state_top& top, MarkCollector& collector,
                                pool::MarkMap& marks, std::string& problem) {
  if (top.has_version == 0) {
    problem = "it has no integer \"version\"";
    return StateDocument::Parse::corrupt;
  }
  bool is_unsigned = top.version_is_unsigned != 0;
  std::uint64_t bits = top.version_bits;
  // A version beyond long long is a newer version too, as in StateDocument.
  long long number = is_unsigned && bits > static_cast<std::uint64_t>(LLONG_MAX)
                         ? LLONG_MAX
                         : static_cast<long long>(bits);
  if (number > k_state_version) {
    problem = "it was written by a newer bridge (version " +
              (is_unsigned ? std::to_string(bits) : std::to_string(number)) + ")";
    return StateDocument::Parse::newer_version;
  }
  if (number < 1) {
    problem = "its version is not valid";
    return StateDocument::Parse::corrupt;
  }
  if (top.keys_is_object == 0) {
    problem = "its \"keys\" is not an object";
    return StateDocument::Parse::corrupt;
  }
  marks = std::move(collector.found);
  return StateDocument::Parse::ok;
}
} // namespace

StateDocument::Parse read_marks(std::string_view text, pool::MarkMap& marks, std::string& problem) {
  return util::fast_or_full(
      [&]() -> std::optional<StateDocument::Parse> {
        const bridge_json_api* plugin = util::json_plugin(text.size());
        if (plugin == nullptr) {
          return std::nullopt;
        }
        MarkCollector collector;
        // An entry as bridge writes it takes some 220 to 290 bytes: room for
        // about as many marks as the file can hold spares rehashing a large map.
        collector.found.reserve(text.size() / 200);
        bridge_json_marks_sink sink{&collector, &MarkCollector::clear, &MarkCollector::entry};
        bridge_json_state_top top{};
        int walked = plugin->state_marks(text.data(), text.size(), &sink, &top);
        if (collector.failure) {
          std::rethrow_exception(collector.failure);
        }
        if (walked == BRIDGE_JSON_UNDECIDED) {
          return std::nullopt;
        }
        return verdict_of(top, collector, marks, problem);
      },
      [&] {
        // What simdjson refuses or cannot judge, and every file read without the
        // plugin: StateDocument has the last word.
        StateDocument document;
        auto verdict = StateDocument::parse(text, document, problem);
        if (verdict == StateDocument::Parse::ok) {
          marks = document.marks();
        }
        return verdict;
      });
}

} // namespace state
