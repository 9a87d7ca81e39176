#pragma once

#include <stdexcept>
#include <string>

namespace util {

// Exit codes of docs/contract.md (output and exit statuses). They are the interface that scripts
// rely on, so they live in one place and are named for what they mean.
enum class ExitCode : int {
  success = 0,
  upstream_error = 1, // non-key-specific upstream error, mid-stream error, bad reply
  usage = 2,          // unknown option, no prompt, bad value
  unavailable = 69,   // DNS, connect, TLS, timeout
  io_error = 74,      // the answer could not be written (stdout full or failing)
  temp_fail = 75,     // every usable key is cooling
  no_permission = 77, // every key disabled; BYOK key refused
  config = 78,        // key file, state version, base URL
  interrupted = 130,  // SIGINT
  closed_pipe = 141,  // stdout closed by its reader: the status of a SIGPIPE death
  terminated = 143,   // SIGTERM
};

// The one error type thrown above the I/O boundaries. `main` catches it,
// prints "bridge: <message>" and returns the exit code. The message must
// never contain a key.
class Error : public std::runtime_error {
public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), m_code(code) {}
  ExitCode code() const noexcept { return m_code; }

private:
  ExitCode m_code;
};

} // namespace util
