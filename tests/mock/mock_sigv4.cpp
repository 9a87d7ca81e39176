#include "mock_sigv4.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace mock {
namespace {

// Pieces appended one after the other (GCC 12 at -O3 sees overlaps that are
// not there in chains of `"text" + std::string`).
std::string cat(std::initializer_list<std::string_view> pieces) {
  std::string out;
  for (std::string_view piece : pieces) {
    out.append(piece);
  }
  return out;
}

std::string hex(const unsigned char* bytes, std::size_t size) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 0xf]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return hex(digest, size);
}

std::string hmac(const std::string& key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &size);
  return std::string(reinterpret_cast<const char*>(out), size);
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// A header value as SigV4 signs it: trimmed, inner runs of spaces as one.
std::string canonical_value(std::string_view value) {
  std::string out;
  for (char c : trim(value)) {
    if (c == ' ' && !out.empty() && out.back() == ' ') {
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t at = text.find(separator); at != std::string_view::npos;
       at = text.find(separator, start)) {
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
  parts.push_back(text.substr(start));
  return parts;
}

// Every service but S3 signs each path segment encoded once more than it
// was sent: a model id sent as "v1%3A0" is signed as "v1%253A0".
std::string canonical_uri(std::string_view raw_path) {
  if (raw_path.empty()) {
    return "/";
  }
  std::string out;
  bool first = true;
  for (std::string_view segment : split(raw_path, '/')) {
    if (!first) {
      out.push_back('/');
    }
    first = false;
    out += sigv4_uri_encode(segment, false);
  }
  return out;
}

std::string canonical_query(std::string_view query) {
  if (query.empty()) {
    return "";
  }
  std::vector<std::pair<std::string, std::string>> params;
  for (std::string_view part : split(query, '&')) {
    const auto eq = part.find('=');
    const std::string_view name = part.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : part.substr(eq + 1);
    params.emplace_back(sigv4_uri_encode(percent_decode(name), false),
                        sigv4_uri_encode(percent_decode(value), false));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    out.append(out.empty() ? "" : "&").append(name).append("=").append(value);
  }
  return out;
}

std::string header_value(const sigv4_request& request, const std::string& name) {
  std::string joined;
  bool found = false;
  for (const auto& [header, value] : request.headers) {
    if (lower(header) == name) {
      joined.append(found ? "," : "").append(canonical_value(value));
      found = true;
    }
  }
  return joined;
}

// The part of `text` after `key` up to the next ',' (or the end), trimmed.
std::optional<std::string> field(std::string_view text, std::string_view key) {
  for (std::string_view part : split(text, ',')) {
    part = trim(part);
    if (part.substr(0, key.size()) == key) {
      return std::string(trim(part.substr(key.size())));
    }
  }
  return std::nullopt;
}

} // namespace

std::string sigv4_uri_encode(std::string_view text, bool keep_slash) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(digits[byte >> 4]);
      out.push_back(digits[byte & 0xf]);
    }
  }
  return out;
}

std::optional<sigv4_authorization> parse_sigv4_authorization(std::string_view header) {
  constexpr std::string_view scheme = "AWS4-HMAC-SHA256 ";
  header = trim(header);
  if (header.substr(0, scheme.size()) != scheme) {
    return std::nullopt;
  }
  header.remove_prefix(scheme.size());
  const auto credential = field(header, "Credential=");
  const auto signed_headers = field(header, "SignedHeaders=");
  const auto signature = field(header, "Signature=");
  if (!credential || !signed_headers || !signature) {
    return std::nullopt;
  }
  const auto scope = split(*credential, '/');
  if (scope.size() != 5 || scope[4] != "aws4_request") {
    return std::nullopt;
  }
  sigv4_authorization auth{std::string(scope[0]),
                           std::string(scope[1]),
                           std::string(scope[2]),
                           std::string(scope[3]),
                           {},
                           *signature};
  for (std::string_view name : split(*signed_headers, ';')) {
    auth.signed_headers.push_back(lower(name));
  }
  return auth;
}

std::string sigv4_canonical_request(const sigv4_request& request,
                                    const std::vector<std::string>& signed_headers) {
  std::string headers;
  std::string names;
  for (const std::string& name : signed_headers) {
    headers.append(name).append(":").append(header_value(request, name)).append("\n");
    names.append(names.empty() ? "" : ";").append(name);
  }
  std::string payload = header_value(request, "x-amz-content-sha256");
  if (payload != "UNSIGNED-PAYLOAD") {
    payload = sha256_hex(request.body);
  }
  return cat({request.method, "\n", canonical_uri(request.raw_path), "\n",
              canonical_query(request.query), "\n", headers, "\n", names, "\n", payload});
}

std::string sigv4_signature(const sigv4_request& request, const sigv4_authorization& auth,
                            const std::string& amz_date, const std::string& secret) {
  const std::string scope = cat({auth.date, "/", auth.region, "/", auth.service, "/aws4_request"});
  const std::string to_sign =
      cat({"AWS4-HMAC-SHA256\n", amz_date, "\n", scope, "\n",
           sha256_hex(sigv4_canonical_request(request, auth.signed_headers))});
  std::string key = hmac(cat({"AWS4", secret}), auth.date);
  key = hmac(key, auth.region);
  key = hmac(key, auth.service);
  key = hmac(key, "aws4_request");
  const std::string signature = hmac(key, to_sign);
  return hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
}

sigv4_check verify_sigv4(const sigv4_request& request,
                         const std::map<std::string, std::string>& secrets) {
  sigv4_check check;
  const std::string authorization = header_value(request, "authorization");
  if (authorization.rfind("AWS4-HMAC-SHA256", 0) != 0) {
    return check;
  }
  const auto auth = parse_sigv4_authorization(authorization);
  const auto secret = auth ? secrets.find(auth->access_key_id) : secrets.end();
  if (auth) {
    check.access_key_id = auth->access_key_id;
  }
  if (secret == secrets.end()) {
    check.result = sigv4_check::verdict::unknown_key;
    check.error_type = "UnrecognizedClientException";
    check.message = "The security token included in the request is invalid.";
    return check;
  }
  const std::string amz_date = header_value(request, "x-amz-date");
  const std::string expected = sigv4_signature(request, *auth, amz_date, secret->second);
  const bool same_scope = amz_date.substr(0, 8) == auth->date;
  if (same_scope && expected.size() == auth->signature.size() &&
      CRYPTO_memcmp(expected.data(), auth->signature.data(), expected.size()) == 0) {
    check.result = sigv4_check::verdict::valid;
    return check;
  }
  check.result = sigv4_check::verdict::bad_signature;
  check.error_type = "InvalidSignatureException";
  check.message = "The request signature we calculated does not match the signature you "
                  "provided. Check your AWS Secret Access Key and signing method. Consult the "
                  "service documentation for details.";
  return check;
}

std::map<std::string, std::string> parse_aws_keys(std::string_view text) {
  std::map<std::string, std::string> keys;
  std::size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at]))) {
      ++at;
    }
    std::size_t end = at;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) {
      ++end;
    }
    if (end == at) {
      break;
    }
    const std::string_view entry = text.substr(at, end - at);
    const auto colon = entry.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == entry.size()) {
      throw std::runtime_error("an AWS key is written ACCESS_KEY_ID:SECRET_ACCESS_KEY");
    }
    keys[std::string(entry.substr(0, colon))] = std::string(entry.substr(colon + 1));
    at = end;
  }
  return keys;
}

} // namespace mock
