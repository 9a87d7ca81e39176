#include "pool/key_marks.hpp"

namespace pool {

std::optional<Block> KeyMarks::blocking(std::string_view model, util::TimePoint now) const {
  if (key_wide && is_disabled(*key_wide)) {
    return Block{&*key_wide, Scope::every_model()};
  }
  std::optional<Block> found;
  if (key_wide && is_cooling(*key_wide, now)) {
    found = Block{&*key_wide, Scope::every_model()};
  }
  if (model.empty()) {
    return found;
  }
  auto it = models.find(std::string(model));
  if (it == models.end()) {
    return found;
  }
  const KeyMark& own = it->second;
  if (is_disabled(own)) {
    return Block{&own, Scope::of_model(it->first)};
  }
  if (is_cooling(own, now) &&
      (!found || cooldown_left(own, now) > cooldown_left(*found->mark, now))) {
    found = Block{&own, Scope::of_model(it->first)};
  }
  return found;
}

void KeyMarks::merge(const Scope& scope, const KeyMark& mark) {
  if (scope.key_wide() || is_disabled(mark)) {
    key_wide = merge_marks(key_wide, mark);
    return;
  }
  auto it = models.find(scope.model());
  auto stored = it == models.end() ? std::nullopt : std::optional<KeyMark>(it->second);
  models[scope.model()] = merge_marks(stored, mark);
}

void KeyMarks::prune(util::TimePoint now) {
  if (key_wide && !is_disabled(*key_wide) && !is_cooling(*key_wide, now)) {
    key_wide.reset();
  }
  for (auto it = models.begin(); it != models.end();) {
    if (!is_disabled(it->second) && !is_cooling(it->second, now)) {
      it = models.erase(it);
    } else {
      ++it;
    }
  }
}

} // namespace pool
