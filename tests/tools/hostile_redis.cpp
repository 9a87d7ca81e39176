// bridge-hostile-redis: a Redis-protocol server that misbehaves on purpose,
// for the scenarios of tests/integration/redis/ that check how far bridge
// trusts a server (docs/security.md, "Redis: a server that misbehaves").
//
//   bridge-hostile-redis --mode MODE (--port-file FILE | --unix PATH)
//                        [--record FILE] [--listen-as UID:GID] [--arg N]
//
// Modes (the answer to the first command of each connection, unless said):
//   dribble      an endless bulk string, one byte every --arg ms (default 50)
//   scan-forever every command answered as a server would, but SCAN always
//                returns a non-zero cursor and no key; DBSIZE says --arg (0)
//   huge-bulk    a bulk string of --arg bytes (default 1 GiB), sent at full speed
//   huge-array   an array of --arg integers (default 20 million)
//   ok           every command answered +OK (AUTH and SELECT included), and
//                EVALSHA / EVAL with an empty array: a server that knows no marks
//   moved        AUTH, SELECT and ASKING answered +OK, every other command
//                -MOVED 1 127.0.0.1:PORT with its own port: a Redis Cluster
//                node that redirects to itself for ever
//
// --port-file: listens on a free port of 127.0.0.1 and writes it to FILE
// (through a temporary file and a rename) once it accepts connections.
// --unix: listens on a unix socket at PATH instead (mode 0777: the test decides
// who may connect through the directory). --listen-as UID:GID: binds first,
// then takes that identity before listen(2), so that a client's SO_PEERCRED
// names UID while the socket file belongs to whoever started the server.
// --record: appends every byte received to FILE. Connections are served one
// at a time; the server runs until it is killed.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

struct Options {
  std::string mode;
  std::string port_file;
  std::string unix_path;
  std::string record;
  long long arg = -1;
  long uid = -1;
  long gid = -1;
  int port = 0; // the port listened on (--port-file)
};

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "bridge-hostile-redis: %s\n", message.c_str());
  std::exit(2);
}

bool send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool send_text(int fd, const std::string& text) { return send_all(fd, text.data(), text.size()); }

// The commands (each a list of words) complete in `buffer`, removed from it.
// Only the array form clients send is understood.
std::vector<std::vector<std::string>> take_commands(std::string& buffer) {
  std::vector<std::vector<std::string>> out;
  std::size_t pos = 0;
  auto line = [&](std::size_t& at, std::string& text) {
    auto end = buffer.find("\r\n", at);
    if (end == std::string::npos) {
      return false;
    }
    text = buffer.substr(at, end - at);
    at = end + 2;
    return true;
  };
  while (pos < buffer.size()) {
    std::size_t at = pos;
    std::string header;
    if (!line(at, header) || header.empty() || header[0] != '*') {
      break;
    }
    long count = std::strtol(header.c_str() + 1, nullptr, 10);
    std::vector<std::string> words;
    bool whole = true;
    for (long i = 0; i < count; ++i) {
      std::string length;
      if (!line(at, length) || length.empty() || length[0] != '$') {
        whole = false;
        break;
      }
      auto size = static_cast<std::size_t>(std::strtol(length.c_str() + 1, nullptr, 10));
      if (buffer.size() < at + size + 2) {
        whole = false;
        break;
      }
      words.push_back(buffer.substr(at, size));
      at += size + 2;
    }
    if (!whole) {
      break;
    }
    out.push_back(std::move(words));
    pos = at;
  }
  buffer.erase(0, pos);
  return out;
}

std::string upper(std::string word) {
  for (char& c : word) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return word;
}

// A well-behaved answer to `words`, as far as the modes need one.
std::string plain_answer(const Options& options, const std::vector<std::string>& words) {
  std::string name = words.empty() ? "" : upper(words[0]);
  if (options.mode == "moved" && name != "AUTH" && name != "SELECT" && name != "ASKING") {
    return "-MOVED 1 127.0.0.1:" + std::to_string(options.port) + "\r\n";
  }
  if (options.mode == "scan-forever" && name == "SCAN") {
    return "*2\r\n$2\r\n17\r\n*0\r\n";
  }
  if (name == "DBSIZE") {
    return ":" + std::to_string(std::max(0LL, options.arg)) + "\r\n";
  }
  if (name == "EVALSHA" || name == "EVAL") {
    return "*0\r\n";
  }
  if (name == "UNLINK" || name == "DEL") {
    return ":0\r\n";
  }
  return "+OK\r\n";
}

void stream_bytes(int fd, char byte, long long count) {
  std::string chunk(1 << 16, byte);
  while (count > 0) {
    auto n = static_cast<std::size_t>(std::min<long long>(count, 1 << 16));
    if (!send_all(fd, chunk.data(), n)) {
      return;
    }
    count -= static_cast<long long>(n);
  }
}

// The hostile answer of `options.mode` to the first command; false when the
// connection is done with.
bool hostile_answer(const Options& options, int fd) {
  if (options.mode == "dribble") {
    long long ms = options.arg > 0 ? options.arg : 50;
    if (!send_text(fd, "$1000000000\r\n")) {
      return false;
    }
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      if (!send_text(fd, "x")) {
        return false;
      }
    }
  }
  if (options.mode == "huge-bulk") {
    long long size = options.arg > 0 ? options.arg : (1LL << 30);
    send_text(fd, "$" + std::to_string(size) + "\r\n");
    stream_bytes(fd, 'x', size);
    send_text(fd, "\r\n");
    return false;
  }
  if (options.mode == "huge-array") {
    long long count = options.arg > 0 ? options.arg : 20'000'000;
    if (!send_text(fd, "*" + std::to_string(count) + "\r\n")) {
      return false;
    }
    std::string chunk;
    for (int i = 0; i < 16384; ++i) {
      chunk += ":1\r\n";
    }
    for (long long sent = 0; sent < count; sent += 16384) {
      long long n = std::min<long long>(16384, count - sent);
      if (!send_all(fd, chunk.data(), static_cast<std::size_t>(n) * 4)) {
        return false;
      }
    }
    return false;
  }
  return true;
}

void serve(const Options& options, int fd) {
  std::string buffer;
  bool first = true;
  char chunk[65536];
  for (;;) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return;
    }
    if (!options.record.empty()) {
      if (FILE* out = std::fopen(options.record.c_str(), "ab")) {
        std::fwrite(chunk, 1, static_cast<std::size_t>(n), out);
        std::fclose(out);
      }
    }
    buffer.append(chunk, static_cast<std::size_t>(n));
    for (const auto& words : take_commands(buffer)) {
      bool hostile =
          options.mode == "dribble" || options.mode == "huge-bulk" || options.mode == "huge-array";
      if (first && hostile) {
        hostile_answer(options, fd);
        return;
      }
      first = false;
      if (!send_text(fd, plain_answer(options, words))) {
        return;
      }
    }
  }
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) {
      die("missing value for " + flag);
    }
    std::string value = argv[++i];
    if (flag == "--mode") {
      options.mode = value;
    } else if (flag == "--port-file") {
      options.port_file = value;
    } else if (flag == "--unix") {
      options.unix_path = value;
    } else if (flag == "--record") {
      options.record = value;
    } else if (flag == "--arg") {
      options.arg = std::atoll(value.c_str());
    } else if (flag == "--listen-as") {
      auto colon = value.find(':');
      if (colon == std::string::npos) {
        die("--listen-as UID:GID");
      }
      options.uid = std::atol(value.substr(0, colon).c_str());
      options.gid = std::atol(value.substr(colon + 1).c_str());
    } else {
      die("unknown option " + flag);
    }
  }
  const char* modes[] = {"dribble", "scan-forever", "huge-bulk", "huge-array", "ok", "moved"};
  bool known = false;
  for (const char* mode : modes) {
    known = known || options.mode == mode;
  }
  if (!known) {
    die("unknown --mode '" + options.mode + "'");
  }
  if (options.port_file.empty() == options.unix_path.empty()) {
    die("give one of --port-file FILE and --unix PATH");
  }
  return options;
}

int listen_socket(Options& options) {
  int fd = -1;
  if (!options.unix_path.empty()) {
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (options.unix_path.size() >= sizeof address.sun_path) {
      die("socket path too long");
    }
    std::strcpy(address.sun_path, options.unix_path.c_str());
    ::unlink(options.unix_path.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      die("bind " + options.unix_path + ": " + std::strerror(errno));
    }
    ::chmod(options.unix_path.c_str(), 0777);
  } else {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      die(std::string("bind: ") + std::strerror(errno));
    }
  }
  if (options.uid >= 0) {
    if (::setgid(static_cast<gid_t>(options.gid)) != 0 ||
        ::setuid(static_cast<uid_t>(options.uid)) != 0) {
      die(std::string("cannot take the identity of --listen-as: ") + std::strerror(errno));
    }
  }
  if (::listen(fd, 16) != 0) {
    die(std::string("listen: ") + std::strerror(errno));
  }
  if (!options.port_file.empty()) {
    sockaddr_in bound{};
    socklen_t size = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &size);
    options.port = ntohs(bound.sin_port);
    std::string temporary = options.port_file + ".tmp";
    FILE* out = std::fopen(temporary.c_str(), "w");
    if (out == nullptr) {
      die("cannot write " + temporary);
    }
    std::fprintf(out, "%d\n", ntohs(bound.sin_port));
    std::fclose(out);
    std::rename(temporary.c_str(), options.port_file.c_str());
  }
  return fd;
}

} // namespace

int main(int argc, char** argv) {
  Options options = parse(argc, argv);
  std::signal(SIGPIPE, SIG_IGN);
  int listener = listen_socket(options);
  for (;;) {
    int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR) {
        continue;
      }
      die(std::string("accept: ") + std::strerror(errno));
    }
    serve(options, client);
    ::close(client);
  }
}
