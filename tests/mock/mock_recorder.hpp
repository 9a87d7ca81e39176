// Counts and logs the requests that reach the mock, so that tests can assert
// what bridge sent: which keys, which headers, over how many connections.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace mock {

class recorder {
public:
  recorder() = default;
  ~recorder();
  recorder(const recorder&) = delete;
  recorder& operator=(const recorder&) = delete;

  // Opens the JSON Lines log for appending. Throws std::runtime_error.
  void open_log(const std::string& path);

  // Numbers the request, its connection, and appends it to the log.
  // Returns the request number (1-based).
  std::uint64_t record(const httplib::Request& req);

  // {"requests":N,"connections":C,"by_key":{...},"by_path":{...},
  //  "by_status":{...},"max_in_flight":M}
  nlohmann::ordered_json stats();

  // Counts an answer's status (by_status).
  void answered(int status);

  // The prompt cache of each key, for the mock's lifetime: whether `key`
  // served the prefix `prefix` (a hash) before, remembering it now. Counted
  // in stats as "cache": {"hits": H, "misses": M}.
  bool cache_lookup(const std::string& key, std::size_t prefix);

  // Marks a request as being answered for as long as it lives, so that
  // max_in_flight tells how many requests the mock held at once: proof
  // that a client sent them in parallel, whatever the machine's load.
  class in_flight {
  public:
    explicit in_flight(recorder& rec);
    ~in_flight();
    in_flight(const in_flight&) = delete;
    in_flight& operator=(const in_flight&) = delete;

  private:
    recorder& m_rec;
  };

private:
  std::mutex m_mutex;
  int m_log_fd = -1;
  std::uint64_t m_requests = 0;
  // A TCP connection is told apart by the client's address and port: the
  // kernel gives every connection its own ephemeral port.
  std::map<std::string, std::uint64_t> m_connections;
  std::map<std::string, std::uint64_t> m_by_key;
  std::map<std::string, std::uint64_t> m_by_path;
  std::map<std::string, std::uint64_t> m_by_status;
  std::uint64_t m_in_flight = 0;
  std::map<std::string, std::set<std::size_t>> m_cache;
  std::uint64_t m_cache_hits = 0;
  std::uint64_t m_cache_misses = 0;
  std::uint64_t m_max_in_flight = 0;
};

// The x-api-key header of a request, if it has one.
std::optional<std::string> api_key_of(const httplib::Request& req);

} // namespace mock
