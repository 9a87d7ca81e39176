#include "state/file/claim_ledger.hpp"

#include "pool/mark.hpp"
#include "state/file/path_safety.hpp"
#include "state/file/side_file.hpp"
#include "state/file/state_paths.hpp"
#include "state/test_hooks.hpp"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

namespace state {

using nlohmann::json;

namespace {

// A few hundred bytes per (key, model) seen in the last minutes: far below
// this for any real pool.
constexpr std::size_t k_max_ledger_size = 16 * 1024 * 1024;

long long micros_since(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               since)
      .count();
}

bool finite_number(const json& value) {
  return value.is_number() && std::isfinite(value.get<double>());
}

// A bucket from what the ledger says, within what bridge can have written
// (docs/marks.md, "Claims"): a limit of at most k_max_units, a level no
// higher than the limit and no lower than a thousand buckets promised
// ahead, a date within pool::k_earliest_time..k_latest_time, a refill of at
// most a whole bucket a millisecond. Another program can write any number
// there; unclamped, a level of -1e300 or a date of -2^63 ms overflowed the
// walk's arithmetic (and made an empty key look ready).
pool::Bucket clamped_bucket(double level, long long at, double limit, double per_ms) {
  constexpr double k_max_units = 1e12;
  pool::Bucket bucket;
  bucket.limit = std::min(limit, k_max_units);
  bucket.level = std::clamp(level, -(bucket.limit + 1.0) * 1000.0, bucket.limit);
  bucket.at = pool::clamp_time(at);
  bucket.per_ms = std::min(per_ms, std::max(bucket.limit, 1.0));
  return bucket;
}

// A claim count of a bucket (taken, out, out_from): a whole number from 0 to
// `most`; absent (a ledger an older bridge wrote) or not a number, 0.
double claim_count(const json& entry, const char* name, double most) {
  auto it = entry.find(name);
  if (it == entry.end() || !finite_number(*it) || it->get<double>() < 0) {
    return 0;
  }
  return std::min(std::floor(it->get<double>()), most);
}

} // namespace

std::string serialize_buckets(const pool::BucketMap& buckets) {
  json all = json::object();
  for (const auto& [id, bucket] : buckets) {
    all[id] = json{{"level", bucket.level},      {"at", bucket.at.time_since_epoch().count()},
                   {"limit", bucket.limit},      {"per_ms", bucket.per_ms},
                   {"taken", bucket.taken},      {"out", bucket.out},
                   {"out_from", bucket.out_from}};
  }
  return json{{"version", 1}, {"buckets", all}}.dump() + "\n";
}

pool::BucketMap parse_buckets(std::string_view text) {
  pool::BucketMap buckets;
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || doc.value("version", json()) != json(1)) {
    return buckets;
  }
  auto all = doc.find("buckets");
  if (all == doc.end() || !all->is_object()) {
    return buckets;
  }
  for (const auto& [id, entry] : all->items()) {
    if (!entry.is_object()) {
      continue;
    }
    auto level = entry.find("level");
    auto at = entry.find("at");
    auto limit = entry.find("limit");
    auto per_ms = entry.find("per_ms");
    if (level == entry.end() || at == entry.end() || limit == entry.end() ||
        per_ms == entry.end() || !finite_number(*level) || !at->is_number_integer() ||
        !finite_number(*limit) || !finite_number(*per_ms) || limit->get<double>() < 0 ||
        per_ms->get<double>() < 0) {
      continue; // not a bucket we wrote: forgotten, as if never seen
    }
    auto bucket = clamped_bucket(level->get<double>(), at->get<long long>(), limit->get<double>(),
                                 per_ms->get<double>());
    constexpr double k_max_claims = 1e15; // whole in a double, and far beyond any pool's life
    bucket.taken = claim_count(entry, "taken", k_max_claims);
    bucket.out = claim_count(entry, "out", bucket.taken);
    bucket.out_from = claim_count(entry, "out_from", bucket.taken);
    buckets.emplace(id, bucket);
  }
  return buckets;
}

ClaimLedger::ClaimLedger(std::string state_path, util::Millis lock_bound)
    : m_path(StatePaths(std::move(state_path)).claims()), m_lock_bound(lock_bound) {}

bool ClaimLedger::exists() const {
  struct stat st {};
  return ::lstat(m_path.c_str(), &st) == 0;
}

bool ClaimLedger::update(util::TimePoint now, const std::function<void(pool::BucketMap&)>& change,
                         std::string& problem) {
  auto asked = std::chrono::steady_clock::now();
  SideFile file;
  // The ledger is removed when it holds nothing (no file left beside the
  // state file for an upstream that sends no limits): a descriptor whose
  // file was removed while we waited for its lock is opened again.
  for (int tries = 0;; ++tries) {
    // A ledger planted by another user could steer our keys: refused like a
    // foreign state file (docs/security.md); so is anything but a regular
    // file.
    file = SideFile{open_side_file(m_path, O_RDWR | O_CREAT, problem)};
    if (!file.is_open()) {
      return false;
    }
    struct stat st {};
    if (::fstat(file.fd(), &st) != 0) {
      problem = fmt::format("{}: {}", m_path, std::strerror(errno));
      return false;
    }
    if (!lock_side_file(file.fd(), m_lock_bound)) {
      m_lock_bound = util::Millis{0};
      problem = fmt::format("cannot lock {}: another bridge process held it for too long", m_path);
      return false;
    }
    struct stat now_there {};
    if (::lstat(m_path.c_str(), &now_there) == 0 && now_there.st_dev == st.st_dev &&
        now_there.st_ino == st.st_ino) {
      break;
    }
    if (tries >= 100) {
      problem = fmt::format("{} keeps being replaced", m_path);
      return false;
    }
  }
  long long wait_us = micros_since(asked);
  auto held = std::chrono::steady_clock::now();
  std::string text;
  if (!read_side_file(file.fd(), k_max_ledger_size, text)) {
    text.clear(); // unreadable or oversized: start afresh, estimates only
  }
  pool::BucketMap buckets = parse_buckets(text);
  change(buckets);
  pool::prune_buckets(buckets, now);
  if (buckets.empty()) {
    ::unlink(m_path.c_str()); // under the lock: see the loop above
  } else if (!rewrite_side_file(file.fd(), serialize_buckets(buckets))) {
    problem = fmt::format("cannot write {}: {}", m_path, std::strerror(errno));
    return false;
  }
  if (test_hooks::timing_wanted(test_hooks::Timing::claims)) {
    test_hooks::append_timing(test_hooks::Timing::claims,
                              fmt::format("claim wait_us={} hold_us={} buckets={}\n", wait_us,
                                          micros_since(held), buckets.size()));
  }
  return true;
}

pool::BucketMap ClaimLedger::read() const {
  std::string problem;
  SideFile file(open_side_file(m_path, O_RDONLY, problem));
  if (!file.is_open()) {
    return {}; // refused ones are named by update(), whose claims they are
  }
  std::string text;
  if (!read_side_file(file.fd(), k_max_ledger_size, text)) {
    return {};
  }
  return parse_buckets(text);
}

} // namespace state
