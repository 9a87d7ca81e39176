#include "state/redis/redis_tls.hpp"

#ifdef BRIDGE_HAVE_HIREDIS_SSL
#include <arpa/inet.h>
#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <hiredis/hiredis_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#endif

namespace state {

#ifdef BRIDGE_HAVE_HIREDIS_SSL

namespace {

bool is_ip_address(const std::string& host) {
  unsigned char address[16];
  return ::inet_pton(AF_INET, host.c_str(), address) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), address) == 1;
}

// The session bridge checks: verify the chain, and the name or address.
std::optional<std::string> make_session(const std::string& host, SSL*& out) {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  if (context == nullptr) {
    return "cannot make a TLS context";
  }
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  bool paths = SSL_CTX_set_default_verify_paths(context) == 1;
  SSL* ssl = paths ? SSL_new(context) : nullptr;
  SSL_CTX_free(context); // the session holds its own reference
  if (ssl == nullptr) {
    return paths ? "cannot make a TLS session" : "cannot load the system's certificate authorities";
  }
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  bool named = false;
  if (is_ip_address(host)) {
    named = X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    named =
        SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
  }
  if (!named) {
    SSL_free(ssl);
    return fmt::format("cannot ask TLS to check the name '{}'", host);
  }
  out = ssl;
  return std::nullopt;
}

} // namespace

std::optional<std::string> start_tls(redisContext* context, const std::string& host) {
  redisInitOpenSSL();
  SSL* ssl = nullptr;
  if (auto problem = make_session(host, ssl)) {
    return problem;
  }
  if (redisInitiateSSL(context, ssl) == REDIS_OK) {
    return std::nullopt; // the context owns the session now
  }
  // hiredis keeps the session only on success.
  long verdict = SSL_get_verify_result(ssl);
  std::string problem = verdict != X509_V_OK ? fmt::format("certificate verify failed: {}",
                                                           X509_verify_cert_error_string(verdict))
                                             : std::string(context->errstr);
  SSL_free(ssl);
  return problem;
}

#else

std::optional<std::string> start_tls(redisContext*, const std::string&) {
  return "this bridge was built without TLS support for Redis (hiredis_ssl)";
}

#endif

} // namespace state
