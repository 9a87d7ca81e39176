#pragma once

#include "pool/bucket.hpp"
#include "util/clock.hpp"

#include <functional>
#include <string>

namespace state {

// The request buckets of a state file's keys (docs/marks.md, "Claims";
// docs/state.md): "<state>.claims", a small JSON document
//
//   {"version": 1, "buckets": {"FINGERPRINT MODEL":
//       {"level": 3.2, "at": MS_SINCE_EPOCH, "limit": 50, "per_ms": 0.00083,
//        "taken": 212, "out": 2, "out_from": 180}}}
//
// (taken, out and out_from: the claims of pool::Bucket; absent, 0)
//
// changed in place under an flock(2) of the file itself, held only for the
// read, the change and the write (tens of microseconds; no network, no
// fsync). Claims must be atomic between processes, which is why there is a
// lock at all; they need not be durable: after a crash or a torn write the
// ledger reads as empty, and the walk is the plain in-order walk until the
// next answers teach the buckets again. It is kept apart from the state
// file so that a claim per request never waits for a fold and its fsync.
// A ledger left with no bucket is removed (under its lock; a process that
// then holds a descriptor of the removed file opens the path again).
//
// BRIDGE_CLAIM_TIMING=FILE (state/test_hooks.hpp) appends one line per update with the
// microseconds waited for the lock and held (bench/README.md).
class ClaimLedger {
public:
  // A lock not had within `lock_bound` gives up, and later updates of this
  // process then try it once only (as the state store does).
  explicit ClaimLedger(std::string state_path, util::Millis lock_bound = util::Millis{5000});

  // Applies `change` to the buckets under the lock and saves them, pruned
  // at `now`. False, with `problem` set, when the ledger cannot be used (a
  // lock held too long, a file that is not ours...): the caller then walks
  // without claims.
  bool update(util::TimePoint now, const std::function<void(pool::BucketMap&)>& change,
              std::string& problem);
  // The buckets as they are, without a lock (keys status).
  pool::BucketMap read() const;
  // Whether the ledger file is there. Only an answer that carries limits
  // creates it; until then a walk does not claim at all, so a pool whose
  // upstream sends no limits never takes this lock (docs/marks.md).
  bool exists() const;

  const std::string& path() const { return m_path; }

private:
  std::string m_path;
  util::Millis m_lock_bound;
};

// The ledger's text and back; a text that is not a ledger gives no buckets.
std::string serialize_buckets(const pool::BucketMap& buckets);
pool::BucketMap parse_buckets(std::string_view text);

} // namespace state
