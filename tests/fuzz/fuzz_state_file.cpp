// Differential fuzzing of the two state file readers: the read path
// (read_marks, simdjson On-Demand) and the document used for rewriting
// (StateDocument, nlohmann::json) must give the same verdict, the same
// reason and the same marks for any input (the rule of mark_reader.hpp:
// simdjson decides only what it accepts, nlohmann everything else), and a
// document that parses must survive merge → serialize → parse.
#include "keys/key.hpp"
#include "state/file/mark_reader.hpp"
#include "state/file/state_document.hpp"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  pool::MarkMap fast;
  std::string fast_problem;
  auto fast_verdict = state::read_marks(text, fast, fast_problem);

  state::StateDocument doc;
  std::string problem;
  auto verdict = state::StateDocument::parse(text, doc, problem);
  if (verdict != fast_verdict) {
    std::abort();
  }
  if (verdict != state::StateDocument::Parse::ok) {
    if (problem != fast_problem) {
      std::abort();
    }
    return 0;
  }
  auto slow = doc.marks();
  if (slow.size() != fast.size()) {
    std::abort();
  }
  // Every scope of every key: the key-wide mark, each model's, the limits.
  auto same_mark = [](const pool::KeyMark& a, const pool::KeyMark& b) {
    return a.kind == b.kind && a.since == b.since && a.until == b.until && a.status == b.status &&
           a.reason == b.reason;
  };
  for (const auto& [fingerprint, marks] : slow) {
    auto it = fast.find(fingerprint);
    if (it == fast.end() || it->second.key_wide.has_value() != marks.key_wide.has_value() ||
        (marks.key_wide && !same_mark(*it->second.key_wide, *marks.key_wide)) ||
        it->second.models.size() != marks.models.size() || it->second.limits != marks.limits) {
      std::abort();
    }
    for (const auto& [model, mark] : marks.models) {
      auto other = it->second.models.find(model);
      if (other == it->second.models.end() || !same_mark(other->second, mark)) {
        std::abort();
      }
    }
  }
  util::TimePoint now{util::Millis{1'790'000'000'000}};
  doc.merge(keys::make_key("fuzz", "sk-fuzz-key-0123456789"),
            pool::KeyMark::cooling(now, util::Millis{5000}, 429, "x"));
  doc.prune(now);
  state::StateDocument again;
  if (state::StateDocument::parse(doc.serialize(), again, problem) !=
      state::StateDocument::Parse::ok) {
    std::abort();
  }
  return 0;
}
