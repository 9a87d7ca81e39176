#include "spinner.hpp"

#include "util/file.hpp"

#include <chrono>
#include <unistd.h>

namespace app {

namespace {
// One spinner at most draws at a time; these guard its line on stderr.
std::mutex g_line_mutex;
bool g_line_drawn = false;

constexpr const char* k_frames[] = {"|", "/", "-", "\\"};
constexpr auto k_frame_time = std::chrono::milliseconds(100);
} // namespace

void Spinner::start(std::string label) {
  if (m_running || ::isatty(STDERR_FILENO) != 1) {
    return;
  }
  m_label = std::move(label);
  m_running = true;
  m_thread = std::thread([this] { run(); });
}

void Spinner::stop() {
  if (!m_running.exchange(false)) {
    return;
  }
  m_thread.join();
  write_stderr("");
}

void Spinner::write_stderr(const std::string& text) {
  std::lock_guard<std::mutex> lock(g_line_mutex);
  if (g_line_drawn) {
    util::write_all(STDERR_FILENO, "\r\x1b[K");
    g_line_drawn = false;
  }
  util::write_all(STDERR_FILENO, text);
}

void Spinner::run() {
  for (std::size_t frame = 0; m_running; ++frame) {
    {
      std::lock_guard<std::mutex> lock(g_line_mutex);
      util::write_all(STDERR_FILENO,
                      std::string("\r") + k_frames[frame % 4] + " " + m_label + "\x1b[K");
      g_line_drawn = true;
    }
    // Sleep in short steps so that stop() returns quickly.
    for (int i = 0; i < 10 && m_running; ++i) {
      std::this_thread::sleep_for(k_frame_time / 10);
    }
  }
}

} // namespace app
