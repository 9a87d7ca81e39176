#pragma once

// What one run of bridge talks to: the provider, the base URL and the keys,
// each resolved once from the global options and the environment.

#include "common.hpp"
#include "console.hpp"

#include "upstream/provider.hpp"

#include <memory>
#include <optional>
#include <string>

namespace app {

// The provider is resolved when the Invocation is made; the base URL and the
// keys on first use, and never again. First use, not construction, because
// the order of the checks is part of the contract: `ask` with neither a
// prompt nor a key says "no prompt" (exit 2) before "no API keys" (exit 78),
// and `keys status` never needs a base URL, so a bad one must not stop it.
class Invocation {
public:
  // Resolves the provider (resolve_provider); throws util::Error as it does.
  // `global` must outlive the Invocation.
  Invocation(const GlobalOptions& global, Console console);

  const GlobalOptions& global() const { return m_global; }
  const Console& console() const { return m_console; }
  const upstream::Provider& provider() const { return *m_provider; }

  // The base URL (resolve_base_url), checked (upstream::checked_base_url)
  // and without a trailing slash. Throws util::Error (exit 78) for a URL
  // bridge must not send a key to.
  const std::string& base_url();

  // The keys (resolve_keys); warnings about the key file go to the
  // console. Throws util::Error (exit 78) when there are none. In pool mode
  // each key's fingerprint is that of the origin of the base URL in effect
  // (keys::key_fingerprint), unless it is the provider's own: marks belong
  // to the host they were learned from (docs/marks.md).
  const KeySource& keys();

private:
  void scope_to_origin(KeySource& source) const;

  const GlobalOptions& m_global;
  Console m_console;
  std::unique_ptr<upstream::Provider> m_provider;
  std::optional<std::string> m_base_url;
  std::optional<KeySource> m_keys;
};

} // namespace app
