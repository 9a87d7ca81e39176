// bridge exec -- COMMAND: run COMMAND with the pool behind it.
#include "child_process.hpp"
#include "command.hpp"
#include "listener.hpp"

#include "util/error.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fmt/format.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace app {

namespace {

struct ExecOptions {
  std::vector<std::string> command;
  ListenerOptions listener;
};

// The parent's environment without what the child must not see (every
// provider's key, base URL and bearer token, and any variable holding a
// key of a pool), then the listener's variables.
std::vector<std::string> child_environment(const Listener& listener, const HeaderList& extra) {
  std::vector<std::string> dropped = k_client_unset;
  for (const auto& pool : listener.pools()) {
    dropped.push_back(pool.provider->profile().key_env);
    dropped.push_back(pool.provider->profile().base_url_env);
  }
  std::vector<std::string> out;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text = *entry;
    std::string name(text.substr(0, text.find('=')));
    if (std::find(dropped.begin(), dropped.end(), name) != dropped.end()) {
      continue;
    }
    bool holds_key = false;
    for (const auto& pool : listener.pools()) {
      for (const auto& key : pool.source ? pool.source->keys : std::vector<keys::Key>{}) {
        holds_key = holds_key || text.find(key.secret) != std::string_view::npos;
      }
    }
    if (!holds_key) {
      out.emplace_back(text);
    }
  }
  for (const auto& [name, value] : extra) {
    out.push_back(name + "=" + value);
  }
  return out;
}

int run_exec(const GlobalOptions& global, const ExecOptions& options) {
  Console console = global.console();
  Listener listener(global, options.listener, new_token());
  ListenAddress address{"127.0.0.1", 0, {}};
  // Before any thread starts: the signals are for the forwarder alone.
  block_forwarded_signals();
  std::optional<UnixSocket> no_socket;
  std::unique_ptr<ListenerServer> served = make_server(listener, address, no_socket);
  ListenerServer& server = *served;
  console.detail(fmt::format("listening on {}:{}", address.host, server.port()));
  std::thread loop([&server] { server.run(false, 1); });
  std::vector<std::string> environment =
      child_environment(listener, client_environment(address, server.port(), listener.token()));
  int status = run_child(options.command, environment);
  server.stop();
  loop.join();
  if (server.in_flight() > 0) {
    std::_Exit(status); // requests the child left behind: their threads still run
  }
  return status;
}

} // namespace

void add_exec_command(CLI::App& app, GlobalOptions& global, Command& command) {
  auto options = std::make_shared<ExecOptions>();
  auto* exec = app.add_subcommand(
      "exec", "Run COMMAND with the pool behind it: a listener on a free loopback port,\n"
              "ANTHROPIC_BASE_URL/OPENAI_BASE_URL pointing at it and a new token as\n"
              "ANTHROPIC_API_KEY/OPENAI_API_KEY; exits with COMMAND's status");
  options->listener.add_to(*exec);
  exec->add_option("COMMAND", options->command, "The command and its arguments, after --")
      ->required();
  exec->fallthrough();
  exec->footer(k_global_options_note);
  exec->callback([&global, options, &command] {
    command.run = [&global, options] { return run_exec(global, *options); };
  });
}

} // namespace app
