// bridge-hostile-client: HTTP clients that misbehave on purpose, for the
// scenarios of tests/integration/listener/ that check what `bridge serve`
// survives (docs/security.md, "The listener: hostile clients").
//
//   bridge-hostile-client slowloris --port P --count N --gap-ms G --token-file F
//                                   [--keep-alive 1] [--unix PATH]
//   bridge-hostile-client churn     --port P --count N [--batch B]
//   bridge-hostile-client nodelay   --port P --pid PID
//
// slowloris: opens N connections to 127.0.0.1:P, sends each the start of a
// request whose headers never end, then one more header byte on each every
// G ms. Right after the first bytes it sends one well-formed request (GET
// /anthropic/v1/models with the token of file F) on a connection of its own
// and reads the answer. Then it trickles until the listener has closed every
// slow connection. Prints
//   served STATUS while K of N slow clients were open
//   dropped D of N slow clients, the last after B trickled bytes
// and exits 0 when the request was answered 200 and all N were dropped
// before the hang guard (--guard-s, default 120), else 1. With --keep-alive
// 1, each slow connection first sends a whole request (without the token:
// answered 401 by the listener, kept alive) and reads its answer, then
// starts trickling the next; a slow connection the listener closes before
// its first trickled byte is a failure (`closed K before trickling`). With
// --unix PATH, every connection goes to the unix socket PATH instead.
//
// churn: opens N connections in batches of B (default 200) and drops each,
// in turn: at once; after half a request line; after a whole request without
// the token, not reading the answer; after half a header, with a reset
// (SO_LINGER 0). After each batch, a request without the token must be
// answered 401. Prints `dropped N connections` and exits 0, or 1 when a
// connection could not be made or that request was not answered 401.
//
// nodelay (not hostile: an inspection): sends one request without the token
// on a kept-alive connection, reads the start of the answer, then finds the
// listener's (process PID) end of that connection among its descriptors
// (pidfd_getfd, which needs the right to ptrace PID) and prints
// `TCP_NODELAY N`, N its value there. Exits 0; 77 when the system does not
// let it look (no pidfd_getfd, or not permitted); 1 when the socket is not
// found.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string mode;
  int port = 0;
  long count = 0;
  long gap_ms = 0;
  long batch = 200;
  long guard_s = 120;
  long pid = 0;
  bool keep_alive = false;
  std::string unix_path;
  std::string token_file;
};

Options g_options; // for connect_to: the socket to reach

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "bridge-hostile-client: %s\n", message.c_str());
  std::exit(2);
}

Options parse(int argc, char** argv) {
  if (argc < 2) {
    die("usage: bridge-hostile-client slowloris|churn --port P --count N ...");
  }
  Options options;
  options.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string name = argv[i];
    std::string value = argv[i + 1];
    if (name == "--port") {
      options.port = std::atoi(value.c_str());
    } else if (name == "--count") {
      options.count = std::atol(value.c_str());
    } else if (name == "--gap-ms") {
      options.gap_ms = std::atol(value.c_str());
    } else if (name == "--batch") {
      options.batch = std::atol(value.c_str());
    } else if (name == "--guard-s") {
      options.guard_s = std::atol(value.c_str());
    } else if (name == "--pid") {
      options.pid = std::atol(value.c_str());
    } else if (name == "--keep-alive") {
      options.keep_alive = value == "1";
    } else if (name == "--unix") {
      options.unix_path = value;
    } else if (name == "--token-file") {
      options.token_file = value;
    } else {
      die("unknown option " + name);
    }
  }
  if (options.mode == "nodelay") {
    options.count = 1;
  }
  if (!options.unix_path.empty() && options.port == 0) {
    options.port = 1; // unused
  }
  if (options.port <= 0 || options.count <= 0 || options.batch <= 0) {
    die("--port and --count are required and positive");
  }
  return options;
}

// A connected socket to 127.0.0.1:port (or to --unix PATH), or -1.
int connect_to(int port) {
  if (!g_options.unix_path.empty()) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", g_options.unix_path.c_str());
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_text(int fd, const std::string& text) {
  return ::send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
}

// True when the peer has closed fd (EOF or an error); reads and discards
// whatever it sent first. Does not block.
bool closed_by_peer(int fd) {
  char buffer[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0) {
      return true;
    }
    if (n < 0) {
      return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
    }
  }
}

// One whole request with the token (none when empty); the status of its
// answer, or 0.
int served_status(int port, const std::string& token) {
  int fd = connect_to(port);
  if (fd < 0) {
    return 0;
  }
  std::string request =
      "GET /anthropic/v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + token +
      "\r\nConnection: close\r\n\r\n";
  std::string answer;
  if (send_text(fd, request)) {
    char buffer[4096];
    ssize_t n;
    while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) {
      answer.append(buffer, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  int status = 0;
  return std::sscanf(answer.c_str(), "HTTP/1.%*d %d", &status) == 1 ? status : 0;
}

// Reads one whole answer (Content-Length or chunked) from fd; its status,
// or 0.
int read_answer(int fd) {
  std::string answer;
  char buffer[4096];
  for (;;) {
    std::size_t head_end = answer.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      std::string head = answer.substr(0, head_end);
      for (char& c : head) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      std::size_t length_at = head.find("\r\ncontent-length:");
      std::size_t body = answer.size() - head_end - 4;
      bool whole =
          length_at != std::string::npos
              ? body >= std::strtoul(head.c_str() + length_at + 17, nullptr, 10)
              : answer.size() >= 5 && answer.compare(answer.size() - 5, 5, "0\r\n\r\n") == 0;
      if (whole) {
        int status = 0;
        return std::sscanf(answer.c_str(), "HTTP/1.%*d %d", &status) == 1 ? status : 0;
      }
    }
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      return 0;
    }
    answer.append(buffer, static_cast<std::size_t>(n));
  }
}

int slowloris(const Options& options) {
  std::string token;
  std::ifstream(options.token_file) >> token;
  if (token.empty() || options.gap_ms <= 0) {
    die("slowloris needs --token-file with a token and --gap-ms");
  }
  struct Slow {
    int fd;
    long trickled;
  };
  std::vector<Slow> slow;
  for (long i = 0; i < options.count; ++i) {
    int fd = connect_to(options.port);
    if (fd >= 0 && options.keep_alive &&
        (!send_text(fd, "GET /anthropic/v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") ||
         read_answer(fd) != 401)) {
      die("the kept-alive request of slow connection " + std::to_string(i) +
          " was not answered 401");
    }
    if (fd < 0 ||
        !send_text(fd, "GET /anthropic/v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nx-slow: ")) {
      die("cannot open slow connection " + std::to_string(i));
    }
    slow.push_back({fd, 0});
  }
  int status = served_status(options.port, token);
  long open = 0;
  for (const auto& s : slow) {
    open += closed_by_peer(s.fd) ? 0 : 1;
  }
  std::printf("served %d while %ld of %ld slow clients were open\n", status, open, options.count);

  auto deadline = Clock::now() + std::chrono::seconds(options.guard_s);
  auto next_byte = Clock::now() + std::chrono::milliseconds(options.gap_ms);
  long dropped = 0;
  long early = 0;
  long last_trickled = 0;
  while (dropped < options.count && Clock::now() < deadline) {
    std::vector<pollfd> fds;
    for (const auto& s : slow) {
      fds.push_back({s.fd, s.fd < 0 ? short(0) : short(POLLIN | POLLRDHUP), 0});
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_byte - Clock::now());
    ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long>(0, wait.count())));
    bool send_now = Clock::now() >= next_byte;
    for (std::size_t i = 0; i < slow.size(); ++i) {
      Slow& s = slow[i];
      if (s.fd < 0) {
        continue;
      }
      bool gone = (fds[i].revents != 0 && closed_by_peer(s.fd)) ||
                  (send_now && !send_text(s.fd, "a") && (errno == EPIPE || errno == ECONNRESET));
      if (gone) {
        ::close(s.fd);
        s.fd = -1;
        ++dropped;
        early += s.trickled == 0 ? 1 : 0;
        last_trickled = std::max(last_trickled, s.trickled);
      } else if (send_now) {
        ++s.trickled;
      }
    }
    if (send_now) {
      next_byte += std::chrono::milliseconds(options.gap_ms);
    }
  }
  std::printf("dropped %ld of %ld slow clients, the last after %ld trickled bytes\n", dropped,
              options.count, last_trickled);
  if (options.keep_alive && early > 0) {
    std::printf("closed %ld before trickling\n", early);
    return 1;
  }
  return status == 200 && dropped == options.count ? 0 : 1;
}

int churn(const Options& options) {
  const std::string request_no_token =
      "POST /anthropic/v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}";
  long done = 0;
  while (done < options.count) {
    std::vector<int> fds;
    for (long i = 0; i < options.batch && done + i < options.count; ++i) {
      int fd = connect_to(options.port);
      if (fd < 0) {
        std::printf("connection %ld failed: %s\n", done + i, std::strerror(errno));
        return 1;
      }
      switch ((done + i) % 4) {
      case 0:
        break;
      case 1:
        send_text(fd, "POST /anthropic/v1/mess");
        break;
      case 2:
        send_text(fd, request_no_token);
        break;
      default: {
        send_text(fd, "GET /anthropic/v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-k");
        linger reset{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        break;
      }
      }
      fds.push_back(fd);
    }
    for (int fd : fds) {
      ::close(fd);
    }
    done += static_cast<long>(fds.size());
    // A request without the token, answered 401, after each batch: the
    // listener still answers, and it has accepted every connection queued
    // before this one, so the kernel's accept queue never overflows (an
    // overflow costs a client a second of SYN retransmission).
    int status = served_status(options.port, "");
    if (status != 401) {
      std::printf("after %ld connections, a request without the token got %d\n", done, status);
      return 1;
    }
  }
  std::printf("dropped %ld connections\n", done);
  return 0;
}

int nodelay(const Options& options) {
  int fd = connect_to(options.port);
  if (fd < 0 || !send_text(fd, "GET /anthropic/v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) {
    die("cannot send the request");
  }
  char buffer[64];
  if (::recv(fd, buffer, sizeof buffer, 0) <= 0) {
    die("no answer");
  }
  sockaddr_in mine{};
  socklen_t length = sizeof mine;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&mine), &length);
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, options.pid, 0));
  if (pidfd < 0) {
    std::printf("cannot look: pidfd_open: %s\n", std::strerror(errno));
    return 77;
  }
  std::string dir = "/proc/" + std::to_string(options.pid) + "/fd";
  DIR* fds = ::opendir(dir.c_str());
  if (fds == nullptr) {
    die("cannot list " + dir);
  }
  int found = -1;
  while (dirent* entry = ::readdir(fds)) {
    if (entry->d_name[0] == '.') {
      continue;
    }
    int theirs = static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, std::atoi(entry->d_name), 0));
    if (theirs < 0) {
      if (errno == EPERM || errno == ENOSYS) {
        std::printf("cannot look: pidfd_getfd: %s\n", std::strerror(errno));
        return 77;
      }
      continue;
    }
    sockaddr_in peer{};
    socklen_t peer_length = sizeof peer;
    if (::getpeername(theirs, reinterpret_cast<sockaddr*>(&peer), &peer_length) == 0 &&
        peer.sin_family == AF_INET && peer.sin_port == mine.sin_port) {
      int value = 0;
      socklen_t value_length = sizeof value;
      ::getsockopt(theirs, IPPROTO_TCP, TCP_NODELAY, &value, &value_length);
      found = value;
    }
    ::close(theirs);
  }
  ::closedir(fds);
  ::close(fd);
  if (found < 0) {
    std::printf("the listener's end of the connection was not found\n");
    return 1;
  }
  std::printf("TCP_NODELAY %d\n", found);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  Options options = parse(argc, argv);
  g_options = options;
  if (options.mode == "slowloris") {
    return slowloris(options);
  }
  if (options.mode == "churn") {
    return churn(options);
  }
  if (options.mode == "nodelay") {
    return nodelay(options);
  }
  die("unknown mode " + options.mode);
}
