#pragma once

#include <optional>
#include <string>

struct redisContext;

namespace state {

// Starts TLS on a connected `context` (builds with hiredis_ssl only): the
// server's certificate must chain to the system's certificate authorities
// (SSL_CERT_FILE and SSL_CERT_DIR are honoured, as OpenSSL does) and name
// `host`: the host name of the URL, or its IP address when the URL gives
// one. hiredis's own TLS context sends the name (SNI) but never checks it,
// so bridge makes the session itself. nullopt on success, else what failed
// ("certificate verify failed: hostname mismatch"). In a build without
// hiredis_ssl it says so (the URL parser refuses rediss:// before).
std::optional<std::string> start_tls(redisContext* context, const std::string& host);

} // namespace state
