// The body of a send: --request as given, or one built from the prompt.
#include "request_body.hpp"

#include "common.hpp"
#include "prompt.hpp"

#include "upstream/messages.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace app {

using util::Error;
using util::ExitCode;

std::string build_body(const SendOptions& options, bool stream, const Console& console,
                       const upstream::Provider& provider, const std::string& base_url) {
  if (options.request_file) {
    if (!options.words.empty()) {
      throw Error(ExitCode::usage, "--request sends a whole body: give no prompt words with it");
    }
    std::vector<std::string> given;
    if (options.model)
      given.emplace_back("--model");
    if (options.system)
      given.emplace_back("--system");
    if (options.max_tokens)
      given.emplace_back("--max-tokens");
    if (options.temperature)
      given.emplace_back("--temperature");
    if (!options.stop.empty())
      given.emplace_back("--stop");
    if (!given.empty()) {
      throw Error(ExitCode::usage,
                  fmt::format("--request sends a whole body as it is: {} cannot be combined with "
                              "it (put {} in the JSON instead)",
                              fmt::join(given, ", "), given.size() == 1 ? "that" : "those"));
    }
    std::string text;
    if (*options.request_file == "-") {
      text = read_stdin_text("--request -");
    } else {
      auto content = util::read_small_file(*options.request_file, k_max_answer);
      if (!content) {
        throw Error(ExitCode::usage,
                    fmt::format("--request {}: {}", *options.request_file, content.error()));
      }
      text = std::move(content->data);
    }
    return upstream::adapt_request_body(text, stream, *options.request_file);
  }
  const upstream::ProviderProfile& profile = provider.profile();
  if (options.temperature && *options.temperature > profile.max_temperature) {
    throw Error(ExitCode::usage,
                fmt::format("--temperature: '{}' is out of {}'s range, 0 to {}",
                            util::format_decimal_3(*options.temperature), profile.name,
                            util::format_decimal_3(profile.max_temperature)));
  }
  upstream::PromptRequest request;
  request.model = options.model ? *options.model : default_model(provider.profile());
  request.prompt = build_prompt(options, console);
  request.system = options.system;
  request.max_tokens = options.max_tokens;
  request.temperature = options.temperature;
  request.stop = options.stop;
  request.stream = stream;
  return provider.build_body(request, base_url);
}

} // namespace app
