#include "mock_bedrock.hpp"

#include "mock_sigv4.hpp"

#include <cstdint>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <zlib.h>

namespace mock {
namespace {

using headers_t = std::vector<std::pair<std::string, std::string>>;

void put_be(std::string& out, std::uint32_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

std::uint32_t crc(const std::string& bytes) {
  return static_cast<std::uint32_t>(
      ::crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

// prelude (total length, headers length, CRC of both), headers (all of
// the string type, 7), payload, CRC of everything before it.
std::string frame(const headers_t& headers, const std::string& payload) {
  std::string block;
  for (const auto& [name, value] : headers) {
    put_be(block, static_cast<std::uint32_t>(name.size()), 1);
    block += name;
    put_be(block, 7, 1);
    put_be(block, static_cast<std::uint32_t>(value.size()), 2);
    block += value;
  }
  std::string out;
  put_be(out, static_cast<std::uint32_t>(16 + block.size() + payload.size()), 4);
  put_be(out, static_cast<std::uint32_t>(block.size()), 4);
  put_be(out, crc(out), 4);
  out += block;
  out += payload;
  put_be(out, crc(out), 4);
  return out;
}

std::string base64(const std::string& bytes) {
  std::vector<unsigned char> out(4 * ((bytes.size() + 2) / 3) + 1);
  const int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

std::string bedrock_chunk_frame(const std::string& event_json) {
  // "p" pads the payload as the real service does (its length varies).
  const std::string payload = dump({{"bytes", base64(event_json)}, {"p", "abcdefgh"}});
  return frame(
      {{":event-type", "chunk"}, {":content-type", "application/json"}, {":message-type", "event"}},
      payload);
}

std::string bedrock_corrupt_frame(const std::string& event_json) {
  std::string out = bedrock_chunk_frame(event_json);
  out[out.size() - 1] = static_cast<char>(out[out.size() - 1] ^ 0x5a);
  return out;
}

std::string bedrock_exception_frame(const std::string& type, const std::string& message) {
  return frame({{":exception-type", type},
                {":content-type", "application/json"},
                {":message-type", "exception"}},
               dump({{"message", message}}));
}

std::string bedrock_error_type(int status) {
  switch (status) {
  case 400:
    return "ValidationException";
  case 401:
  case 403:
    return "AccessDeniedException";
  case 404:
    return "ResourceNotFoundException";
  case 408:
    return "ModelTimeoutException";
  case 424:
    return "ModelErrorException";
  case 429:
    return "ThrottlingException";
  case 503:
    return "ServiceUnavailableException";
  default:
    return "InternalServerException";
  }
}

void answer_bedrock_error(const response_spec& spec, httplib::Response& res) {
  const std::string type = spec.error_type.value_or(bedrock_error_type(spec.status));
  if (!res.has_header("x-amzn-ErrorType")) {
    res.set_header("x-amzn-ErrorType",
                   type + ":http://internal.amazon.com/coral/com.amazon.bedrock/");
  }
  res.set_content(dump({{"message", spec.error_message.value_or("mock: " + type)}}),
                  spec.content_type.value_or("application/json"));
}

bool answer_bad_signature(const httplib::Request& req,
                          const std::map<std::string, std::string>& aws_keys,
                          httplib::Response& res) {
  if (aws_keys.empty()) {
    return false;
  }
  sigv4_request signed_request;
  signed_request.method = req.method;
  // The path as the client sent it; httplib keeps it in `target` (with the
  // query), and has decoded `path`.
  if (!req.target.empty()) {
    const auto query = req.target.find('?');
    signed_request.raw_path = req.target.substr(0, query);
    if (query != std::string::npos) {
      signed_request.query = req.target.substr(query + 1);
    }
  } else {
    signed_request.raw_path = sigv4_uri_encode(req.path, true);
  }
  for (const auto& [name, value] : req.headers) {
    // httplib adds these to what the client sent; they were never signed.
    if (name != "REMOTE_ADDR" && name != "REMOTE_PORT" && name != "LOCAL_ADDR" &&
        name != "LOCAL_PORT") {
      signed_request.headers.emplace_back(name, value);
    }
  }
  signed_request.body = req.body;
  const sigv4_check check = verify_sigv4(signed_request, aws_keys);
  if (check.result != sigv4_check::verdict::unknown_key &&
      check.result != sigv4_check::verdict::bad_signature) {
    return false;
  }
  response_spec spec;
  spec.status = 403;
  spec.error_type = check.error_type;
  spec.error_message = check.message;
  res.status = 403;
  answer_bedrock_error(spec, res);
  return true;
}

} // namespace mock
