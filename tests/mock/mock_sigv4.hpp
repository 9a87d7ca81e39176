// AWS Signature Version 4, checked the way an AWS service checks it, so that
// the mock can tell a rightly signed Bedrock request from a wrongly signed
// one (tests/mock/README.md, "SigV4"). bridge itself signs nothing (libcurl
// does); this is the other side, for tests: the canonical request (the path
// URI-encoded once more than it was sent, as AWS does for every service but
// S3), the string to sign, and the HMAC-SHA256 key chain, all on OpenSSL's
// primitives. Nothing here needs httplib, so unit tests run it on AWS's
// published examples.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mock {

// A request as it arrived: the path as sent (percent-encoded once by the
// client), the query without '?', every header (names in any case), the body.
struct sigv4_request {
  std::string method;
  std::string raw_path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// The parts of an `authorization: AWS4-HMAC-SHA256 Credential=ID/DATE/REGION/
// SERVICE/aws4_request, SignedHeaders=a;b, Signature=HEX` header.
struct sigv4_authorization {
  std::string access_key_id;
  std::string date; // YYYYMMDD of the credential scope
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers; // lower case, in the order given
  std::string signature;
};

// Parses an authorization header; nullopt when it is not SigV4 or lacks a part.
std::optional<sigv4_authorization> parse_sigv4_authorization(std::string_view header);

// SigV4's URI encoding: every byte but A-Z a-z 0-9 - . _ ~ as %XX (upper-case
// hex); '/' too unless `keep_slash`.
std::string sigv4_uri_encode(std::string_view text, bool keep_slash);

// The canonical request of `request` for these signed headers.
std::string sigv4_canonical_request(const sigv4_request& request,
                                    const std::vector<std::string>& signed_headers);

// The hex signature `secret` gives `request` under `auth`'s scope and signed
// headers, at `amz_date` (the x-amz-date value, YYYYMMDDTHHMMSSZ).
std::string sigv4_signature(const sigv4_request& request, const sigv4_authorization& auth,
                            const std::string& amz_date, const std::string& secret);

// What the mock makes of a request's signature.
struct sigv4_check {
  enum class verdict {
    not_signed,    // no SigV4 authorization header: nothing to check
    valid,         // signed with the secret of a known access key id
    unknown_key,   // UnrecognizedClientException
    bad_signature, // InvalidSignatureException
  };
  verdict result = verdict::not_signed;
  std::string access_key_id;
  std::string error_type; // for the two failures, with Bedrock's message
  std::string message;
};

// Checks `request` against `secrets` (access key id -> secret access key).
sigv4_check verify_sigv4(const sigv4_request& request,
                         const std::map<std::string, std::string>& secrets);

// Reads "ID:SECRET ID:SECRET ..." (whitespace-separated) into a map; throws
// std::runtime_error on an entry without ':'.
std::map<std::string, std::string> parse_aws_keys(std::string_view text);

} // namespace mock
