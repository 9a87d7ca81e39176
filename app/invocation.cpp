#include "invocation.hpp"

#include "upstream/curl_policy.hpp"

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
    m_keys = resolve_keys(m_global, m_provider->profile(), m_console);
  }
  return *m_keys;
}

} // namespace app
