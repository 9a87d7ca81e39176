#pragma once

#include <string>

namespace upstream {

// The origin of a URL, as the web defines it: "scheme://host:port", scheme
// and host in lower case, the port always written (443 for https, 80 for
// http, when the URL names none); no user, path, query or fragment. Two base
// URLs reach the same server exactly when their origins are equal
// ("https://api.openai.com/v1" and "https://API.openai.com:443/" do).
// libcurl's URL parser reads the URL. A URL it cannot parse is returned as it
// is: such a base URL is refused before any request (checked_base_url), and
// its origin only has to differ from every real one.
std::string url_origin(const std::string& url);

} // namespace upstream
