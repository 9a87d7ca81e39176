#pragma once

// Finding keys by label, for the commands that take labels (keys check,
// keys reset).

#include "common.hpp"

#include "keys/key.hpp"
#include "upstream/provider.hpp"

#include <string>
#include <vector>

namespace app {

// The keys of `source` that `labels` name, in the order named, each once.
// Throws util::Error (exit 2) for the first label that names no key: "no key
// labelled 'L' in FILE" for a pool, or, for a lone key from the environment
// (`profile` names its variable), what that key is labelled.
std::vector<const keys::Key*> keys_by_label(const KeySource& source,
                                            const std::vector<std::string>& labels,
                                            const upstream::ProviderProfile& profile);

} // namespace app
