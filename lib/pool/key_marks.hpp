#pragma once

#include "limits/limit.hpp"
#include "pool/mark.hpp"
#include "pool/scope.hpp"
#include "util/clock.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pool {

// The rate limits a response reported (read by the provider).
using LimitReading = limits::LimitReading;

// The limits one model of one key had at the last answer that reported them.
struct ModelLimits {
  util::TimePoint seen{};
  std::vector<LimitReading> readings;

  friend bool operator==(const ModelLimits&, const ModelLimits&) = default;
};

// Why a key cannot serve a model now: the mark, and the scope it was made in.
struct Block {
  const KeyMark* mark = nullptr;
  Scope scope;
};

// Everything the pool knows about one key: a key-wide mark (disabled, or a
// cooldown for every model), cooldowns per model, and the last rate limits
// seen per model. Implicitly made from a lone KeyMark: that is a key-wide
// mark, as a state file written before per-model marks holds.
struct KeyMarks {
  std::optional<KeyMark> key_wide;
  std::map<std::string, KeyMark> models;
  std::map<std::string, ModelLimits> limits;

  KeyMarks() = default;
  KeyMarks(KeyMark mark) : key_wide(std::move(mark)) {} // NOLINT: implicit on purpose

  // What keeps the key from serving `model` at `now`, if anything: a
  // disabled mark first; otherwise, of the key-wide cooldown and the one for
  // `model`, the one that ends last. An empty `model` is judged by key-wide
  // marks only.
  std::optional<Block> blocking(std::string_view model, util::TimePoint now) const;
  bool usable_for(std::string_view model, util::TimePoint now) const {
    return !blocking(model, now);
  }

  // Merges `mark` into the scope's mark (merge_marks: never shortened,
  // disabled beats cooling). A disabled mark is always key-wide, whatever
  // the scope says.
  void merge(const Scope& scope, const KeyMark& mark);
  // Drops cooldowns that are over at `now` (limits are kept).
  void prune(util::TimePoint now);
  // No mark and no limits at all.
  bool empty() const { return !key_wide && models.empty() && limits.empty(); }
  // No mark at all (limits do not count).
  bool unmarked() const { return !key_wide && models.empty(); }
};

} // namespace pool
