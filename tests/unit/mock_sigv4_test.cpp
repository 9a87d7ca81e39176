// The mock's SigV4 check (tests/mock/mock_sigv4.*) against AWS's published
// Signature Version 4 test suite (get-vanilla, post-vanilla,
// get-vanilla-query-order-key-case: credentials AKIDEXAMPLE, region
// us-east-1, service "service", 20150830T123600Z), and the rules Bedrock
// adds: the path encoded once more than sent, a wrong secret refused.
#include "mock_sigv4.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>

namespace {

const std::string k_secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const std::string k_date = "20150830T123600Z";
const std::string k_scope = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                            "SignedHeaders=host;x-amz-date, Signature=";

mock::sigv4_request vanilla(std::string method, std::string query, std::string signature) {
  return {std::move(method),
          "/",
          std::move(query),
          {{"Host", "example.amazonaws.com"},
           {"X-Amz-Date", k_date},
           {"Authorization", "AWS4-HMAC-SHA256 " + k_scope + signature}},
          ""};
}

mock::sigv4_check::verdict verdict_of(const mock::sigv4_request& request,
                                      const std::string& secret = k_secret) {
  return mock::verify_sigv4(request, {{"AKIDEXAMPLE", secret}}).result;
}

} // namespace

TEST_CASE("mock_sigv4: AWS's test suite verifies, a wrong secret does not") {
  using verdict = mock::sigv4_check::verdict;
  const auto get =
      vanilla("GET", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  const auto post =
      vanilla("POST", "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
  // get-vanilla-query-order-key-case: the query is signed sorted.
  const auto query = vanilla("GET", "Param2=value2&Param1=value1",
                             "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
  CHECK(mock::sigv4_canonical_request(get, {"host", "x-amz-date"}) ==
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  for (const auto* request : {&get, &post, &query}) {
    CHECK(verdict_of(*request) == verdict::valid);
    CHECK(verdict_of(*request, k_secret + "x") == verdict::bad_signature);
  }
  auto changed = get;
  changed.body = "a body the signature did not cover";
  CHECK(verdict_of(changed) == verdict::bad_signature);
  const auto unknown = mock::verify_sigv4(get, {{"AKIDOTHER", k_secret}});
  CHECK(unknown.result == verdict::unknown_key);
  CHECK(unknown.error_type == "UnrecognizedClientException");
  CHECK(mock::verify_sigv4(post, {{"AKIDEXAMPLE", "nope"}}).error_type ==
        "InvalidSignatureException");
}

TEST_CASE("mock_sigv4: a Bedrock path is signed encoded twice") {
  mock::sigv4_request request{"POST",
                              "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke",
                              "",
                              {{"host", "127.0.0.1:8080"}, {"x-amz-date", k_date}},
                              "{}"};
  const std::string canonical = mock::sigv4_canonical_request(request, {"host", "x-amz-date"});
  CHECK(canonical.rfind("POST\n/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/invoke\n", 0) ==
        0);
  // Signed as libcurl before 8.9.0 signs it (the path as sent): refused.
  mock::sigv4_authorization auth{"AKIDEXAMPLE",          "20150830", "us-east-1", "bedrock",
                                 {"host", "x-amz-date"}, ""};
  auto once = request;
  // Its canonical path is ".../v1%3A0/invoke", the path as sent, not encoded again.
  once.raw_path = "/model/anthropic.claude-3-5-sonnet-20240620-v1:0/invoke";
  auth.signature = mock::sigv4_signature(once, auth, k_date, k_secret);
  request.headers.emplace_back("authorization",
                               "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/"
                               "aws4_request, SignedHeaders=host;x-amz-date, Signature=" +
                                   auth.signature);
  CHECK(verdict_of(request) == mock::sigv4_check::verdict::bad_signature);
}

TEST_CASE("mock_sigv4: header values are trimmed, runs of spaces folded, repeats joined") {
  mock::sigv4_request request{"GET",
                              "/",
                              "",
                              {{"My-Header1", "  a   b   c  "},
                               {"x-amz-date", k_date},
                               {"my-header2", "one"},
                               {"My-Header2", "two"}},
                              ""};
  CHECK(mock::sigv4_canonical_request(request, {"my-header1", "my-header2"}) ==
        "GET\n/\n\nmy-header1:a b c\nmy-header2:one,two\n\nmy-header1;my-header2\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("mock_sigv4: what is not a SigV4 header is not checked; keys are read from text") {
  CHECK_FALSE(mock::parse_sigv4_authorization("Bearer ABSK"));
  CHECK_FALSE(mock::parse_sigv4_authorization("AWS4-HMAC-SHA256 Credential=A/B, Signature=x"));
  mock::sigv4_request bearer{"POST", "/", "", {{"authorization", "Bearer ABSK"}}, ""};
  CHECK(mock::verify_sigv4(bearer, {{"AKIDEXAMPLE", k_secret}}).result ==
        mock::sigv4_check::verdict::not_signed);
  const auto keys = mock::parse_aws_keys(" AKIDONE:sec/ret+1 \n AKIDTWO:s2 ");
  CHECK(keys == std::map<std::string, std::string>{{"AKIDONE", "sec/ret+1"}, {"AKIDTWO", "s2"}});
  CHECK_THROWS(mock::parse_aws_keys("AKIDONE"));
}
