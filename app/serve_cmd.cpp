// bridge serve: the listener, long-running, in the foreground.
#include "command.hpp"
#include "listener.hpp"
#include "token_file.hpp"

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/printable.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <memory>
#include <optional>
#include <unistd.h>

namespace app {

namespace {

struct ServeOptions {
  std::string listen = "127.0.0.1:8787";
  std::optional<std::string> token_file;
  bool print_env = false;
  ListenerOptions listener;
};

// Beside the state file; beside the default one when the marks are on Redis.
std::string default_token_file(const GlobalOptions& global) {
  std::string state = resolve_state_path(global);
  if (state.find("://") != std::string::npos) {
    state = default_state_file();
  }
  std::size_t slash = state.rfind('/');
  return (slash == std::string::npos ? std::string(".") : state.substr(0, slash)) +
         "/listener.token";
}

int run_serve(const GlobalOptions& global, const ServeOptions& options) {
  Console console = global.console();
  ListenAddress address = parse_listen_address(options.listen);
  std::string token_path = options.token_file ? *options.token_file : default_token_file(global);
  std::string token = load_or_create_token(token_path);
  Listener listener(global, options.listener, token);
  std::optional<UnixSocket> socket;
  std::unique_ptr<ListenerServer> served = make_server(listener, address, socket);
  ListenerServer& server = *served;
  if (options.print_env) {
    std::string lines;
    for (const auto& [name, value] : client_environment(address, server.port(), token)) {
      lines += fmt::format("export {}={}\n", name, value);
    }
    for (const auto& name : k_client_unset) {
      lines += fmt::format("unset {}\n", name);
    }
    util::write_all(STDOUT_FILENO, lines);
  }
  std::string where = socket ? "unix:" + util::printable(socket->path())
                             : fmt::format("{}:{}", address.host, server.port());
  console.detail(fmt::format("listening on {} (token in {})", where, util::printable(token_path)));
  int signal = server.run(true);
  console.detail(signal != 0 ? fmt::format("stopped by signal {}", signal) : "stopped");
  if (socket) {
    socket->remove(); // no new connection can be made: the listener has closed it
  }
  if (server.in_flight() > 0) {
    // Requests the grace period cut: their threads still run.
    std::_Exit(0);
  }
  return 0;
}

} // namespace

void add_serve_command(CLI::App& app, GlobalOptions& global, Command& command) {
  auto options = std::make_shared<ServeOptions>();
  auto* serve = app.add_subcommand(
      "serve", "Serve the pool on a loopback port to tools that speak the API themselves:\n"
               "/anthropic/... and /openai/v1/... with the listener's token as API key\n"
               "(until SIGINT or SIGTERM)");
  serve
      ->add_option("--listen", options->listen,
                   "HOST:PORT on loopback (default 127.0.0.1:8787; port 0: a free one),\n"
                   "or unix:PATH, a socket made 0600")
      ->type_name("ADDR");
  serve
      ->add_option("--token-file", options->token_file,
                   "The token file, made 0600 when missing (default listener.token\n"
                   "beside the state file)")
      ->type_name("FILE");
  serve->add_flag("--print-env", options->print_env,
                  "Print the export lines a client needs (base URLs, token)");
  options->listener.add_to(*serve);
  serve->fallthrough();
  serve->footer(k_global_options_note);
  serve->callback([&global, options, &command] {
    command.run = [&global, options] { return run_serve(global, *options); };
  });
}

} // namespace app
