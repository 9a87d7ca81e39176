#include "key_labels.hpp"

#include "util/error.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace app {

std::vector<const keys::Key*> keys_by_label(const KeySource& source,
                                            const std::vector<std::string>& labels,
                                            const upstream::ProviderProfile& profile) {
  std::vector<const keys::Key*> chosen;
  for (const auto& label : labels) {
    auto it = std::find_if(source.keys.begin(), source.keys.end(),
                           [&](const keys::Key& key) { return key.label == label; });
    if (it == source.keys.end()) {
      throw util::Error(util::ExitCode::usage,
                        source.mode == KeySource::Mode::pool || source.keys.empty()
                            ? fmt::format("no key labelled '{}' in {}", label, source.key_file)
                            : fmt::format("no key labelled '{}': {} is one key, labelled '{}'",
                                          label, profile.key_env, source.keys.front().label));
    }
    if (std::find(chosen.begin(), chosen.end(), &*it) == chosen.end()) {
      chosen.push_back(&*it);
    }
  }
  return chosen;
}

} // namespace app
