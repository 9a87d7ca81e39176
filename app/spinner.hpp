#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

namespace app {

// A progress spinner on stderr while `ask` waits for its answer. It runs only
// when stderr is a terminal and -q is not given; stop() erases its line
// before the answer (or an error) is printed. Console output clears it first
// through Spinner::clear_line, so lines never interleave with a frame.
class Spinner {
public:
  Spinner() = default;
  ~Spinner() { stop(); }
  Spinner(const Spinner&) = delete;
  Spinner& operator=(const Spinner&) = delete;

  // Starts drawing `label` with a turning frame, if stderr is a terminal.
  void start(std::string label);
  // Stops drawing and erases the line. Safe to call more than once.
  void stop();

  // Writes `text` to stderr, first erasing the current frame if a spinner is
  // drawing; the frame comes back on the next tick, below the text.
  static void write_stderr(const std::string& text);

private:
  void run();

  std::string m_label;
  std::thread m_thread;
  std::atomic<bool> m_running{false};
};

} // namespace app
