#include "upstream/origin.hpp"

#include "util/strings.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

namespace upstream {

std::string url_origin(const std::string& url) {
  CURLU* handle = curl_url();
  if (handle == nullptr) {
    return url;
  }
  std::string origin = url;
  // CURLU_NON_SUPPORT_SCHEME: a scheme this libcurl was built without still
  // has an origin.
  if (curl_url_set(handle, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
    char* scheme = nullptr;
    char* host = nullptr;
    char* port = nullptr;
    curl_url_get(handle, CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(handle, CURLUPART_HOST, &host, 0);
    curl_url_get(handle, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    if (scheme != nullptr && host != nullptr) {
      origin = fmt::format("{}://{}{}{}", util::to_lower(scheme), util::to_lower(host),
                           port != nullptr ? ":" : "", port != nullptr ? port : "");
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(handle);
  return origin;
}

} // namespace upstream
