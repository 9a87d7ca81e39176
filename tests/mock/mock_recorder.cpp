#include "mock_recorder.hpp"

#include "mock_sigv4.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace mock {
namespace {

// Insertion order keeps log lines readable: n, conn, method, path, ...
using ordered = nlohmann::ordered_json;

std::string lower(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

// httplib adds the peer and local addresses to the request headers as
// pseudo-headers; they were not sent by the client, so they stay out of the log.
bool is_pseudo_header(const std::string& name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
         name == "LOCAL_PORT";
}

void write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return; // A log that cannot be written must not take the mock down.
    }
    done += static_cast<std::size_t>(n);
  }
}

} // namespace

std::optional<std::string> api_key_of(const httplib::Request& req) {
  if (req.has_header("x-api-key")) {
    return req.get_header_value("x-api-key");
  }
  // OpenAI's shape: authorization: Bearer KEY.
  if (req.has_header("authorization")) {
    const std::string value = req.get_header_value("authorization");
    if (value.rfind("Bearer ", 0) == 0) {
      return value.substr(7);
    }
    // AWS SigV4 (Bedrock's IAM keys): the access key id names the key; the
    // secret never travels.
    if (auto auth = parse_sigv4_authorization(value)) {
      return auth->access_key_id;
    }
  }
  return std::nullopt;
}

recorder::~recorder() {
  if (m_log_fd >= 0) {
    ::close(m_log_fd);
  }
}

void recorder::open_log(const std::string& path) {
  m_log_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (m_log_fd < 0) {
    throw std::runtime_error("cannot open log " + path + ": " + std::strerror(errno));
  }
}

std::uint64_t recorder::record(const httplib::Request& req) {
  const std::optional<std::string> key = api_key_of(req);

  ordered headers = ordered::object();
  for (const auto& [name, value] : req.headers) {
    if (is_pseudo_header(name)) {
      continue;
    }
    const std::string lname = lower(name);
    // A repeated header is folded the way HTTP allows: values joined by ", ".
    if (headers.contains(lname)) {
      headers[lname] = headers[lname].get<std::string>() + ", " + value;
    } else {
      headers[lname] = value;
    }
  }
  ordered body;
  try {
    body = ordered::parse(req.body);
  } catch (const ordered::exception&) {
    body = req.body;
  }

  std::lock_guard lock(m_mutex);
  const std::uint64_t n = ++m_requests;
  const std::string peer = req.remote_addr + " " + std::to_string(req.remote_port);
  auto [conn_it, inserted] = m_connections.try_emplace(peer, m_connections.size() + 1);
  (void)inserted;
  if (key) {
    ++m_by_key[*key];
  }
  ++m_by_path[req.path];

  if (m_log_fd >= 0) {
    ordered line = {
        {"n", n},
        {"conn", conn_it->second},
        {"method", req.method},
        {"path", req.path},
        {"key", key ? ordered(*key) : ordered(nullptr)},
        {"headers", std::move(headers)},
        {"body", std::move(body)},
    };
    // One write() per line on an O_APPEND descriptor: the line is in the
    // file at once, even if the mock is killed right after.
    write_all(m_log_fd, line.dump(-1, ' ', false, ordered::error_handler_t::replace) + "\n");
  }
  return n;
}

nlohmann::ordered_json recorder::stats() {
  std::lock_guard lock(m_mutex);
  return ordered{
      {"requests", m_requests},
      {"connections", m_connections.size()},
      {"by_key", m_by_key},
      {"by_path", m_by_path},
      {"by_status", m_by_status},
      {"max_in_flight", m_max_in_flight},
      {"cache", {{"hits", m_cache_hits}, {"misses", m_cache_misses}}},
  };
}

bool recorder::cache_lookup(const std::string& key, std::size_t prefix) {
  std::lock_guard lock(m_mutex);
  bool hit = !m_cache[key].insert(prefix).second;
  ++(hit ? m_cache_hits : m_cache_misses);
  return hit;
}

void recorder::answered(int status) {
  std::lock_guard lock(m_mutex);
  ++m_by_status[std::to_string(status)];
}

recorder::in_flight::in_flight(recorder& rec) : m_rec(rec) {
  std::lock_guard lock(m_rec.m_mutex);
  m_rec.m_max_in_flight = std::max(m_rec.m_max_in_flight, ++m_rec.m_in_flight);
}

recorder::in_flight::~in_flight() {
  std::lock_guard lock(m_rec.m_mutex);
  --m_rec.m_in_flight;
}

} // namespace mock
