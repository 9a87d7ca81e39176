#include "invocation.hpp"

#include "keys/fingerprint.hpp"
#include "upstream/curl_policy.hpp"
#include "upstream/origin.hpp"

#include <fmt/format.h>

namespace app {

Invocation::Invocation(const GlobalOptions& global, Console console)
    : m_global(global), m_console(console), m_provider(resolve_provider(global)) {}

const std::string& Invocation::base_url() {
  if (!m_base_url) {
    m_base_url = upstream::checked_base_url(resolve_base_url(m_global, m_provider->profile()));
  }
  return *m_base_url;
}

const KeySource& Invocation::keys() {
  if (!m_keys) {
    m_keys = resolve_keys(m_global, *m_provider, m_console);
    scope_to_origin(*m_keys);
  }
  return *m_keys;
}

void Invocation::scope_to_origin(KeySource& source) const {
  if (source.mode == KeySource::Mode::byok) {
    return; // a lone key from the environment is remembered nowhere
  }
  const upstream::ProviderProfile& profile = m_provider->profile();
  // The base URL unchecked: `keys status` and `keys reset` must work whatever
  // it is, and one that would be refused has an origin no other URL shares.
  std::string origin = upstream::url_origin(resolve_base_url(m_global, profile));
  if (origin == upstream::url_origin(profile.default_base_url)) {
    return; // the provider's own host: the fingerprints every bridge has written
  }
  keys::fingerprint_keys(source.keys, origin);
  m_console.detail(fmt::format("marks: those learned from {}", origin));
}

} // namespace app
