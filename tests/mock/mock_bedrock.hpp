// The Amazon Bedrock shape of the mock's answers (bedrock-runtime's
// /model/{id}/invoke and /invoke-with-response-stream): AWS event-stream
// frames, each checked by zlib's crc32 and carrying a base64 Anthropic
// event, and errors named by x-amzn-ErrorType.
#pragma once

#include <map>
#include <string>

#include <httplib.h>

#include "mock_script.hpp"

namespace mock {

// One `chunk` event frame carrying `event_json` as {"bytes": BASE64}.
std::string bedrock_chunk_frame(const std::string& event_json);
// The same frame with a wrong message checksum.
std::string bedrock_corrupt_frame(const std::string& event_json);
// An `exception` frame: :exception-type `type`, payload {"message": M}.
std::string bedrock_exception_frame(const std::string& type, const std::string& message);

// The AWS error type of a status, for scripts that name none
// (ThrottlingException for 429, AccessDeniedException for 403, ...).
std::string bedrock_error_type(int status);
// An error answer: x-amzn-ErrorType "TYPE:namespace" and {"message": M}.
void answer_bedrock_error(const response_spec& spec, httplib::Response& res);

// Checks the SigV4 signature of `req` against `aws_keys` (access key id ->
// secret, from BRIDGE_MOCK_AWS_KEYS). A request signed with an unknown key
// id, or whose signature is not the one its key's secret gives, is answered
// 403 in Bedrock's error shape (UnrecognizedClientException,
// InvalidSignatureException) and true returned; anything else (a Bearer
// request, a valid signature, no keys configured) returns false.
bool answer_bad_signature(const httplib::Request& req,
                          const std::map<std::string, std::string>& aws_keys,
                          httplib::Response& res);

} // namespace mock
