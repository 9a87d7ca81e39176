#pragma once

#include "keys/key.hpp"
#include "pool/affinity.hpp"
#include "pool/mark_store.hpp"
#include "util/expected.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace state {

// A store shared over the network (Redis), which can fail at any call and
// says so instead of throwing: each function returns the failure's message
// (naming the server without its password, and what went wrong). What a
// failure means for the invocation is decided in one place, FallbackStore,
// which wraps this interface; so its tests use an in-memory fake that can be
// told to fail.
class SharedStore {
public:
  virtual ~SharedStore() = default;

  // The store for messages ("redis://HOST:PORT/DB"); never a password.
  virtual std::string display() const = 0;

  // Whether the failure last reported is a configuration error (the server
  // refused the password, the user or the database bridge was told to use)
  // rather than an outage: a wait will not mend it, the set-up must change.
  virtual bool failure_is_configuration() const { return false; }

  // pool::MarkStore's load, record and record_limits, with the failure.
  virtual util::Expected<pool::MarkMap> try_load() = 0;
  virtual util::Expected<bool> try_record(const keys::Key& key, const pool::Scope& scope,
                                          const pool::KeyMark& mark) = 0;
  virtual util::Expected<bool> try_record_limits(const keys::Key& key, const std::string& model,
                                                 const pool::ModelLimits& limits,
                                                 const pool::ClaimTicket& ticket) = 0;
  // pool::MarkStore's reset, reset_all and clear_disabled (the counts as
  // they promise), with the failure.
  virtual util::Expected<std::size_t> try_reset(const std::vector<std::string>& fingerprints) = 0;
  virtual util::Expected<std::size_t> try_reset_all() = 0;
  virtual util::Expected<std::size_t>
  try_clear_disabled(const std::vector<std::string>& fingerprints) = 0;

  // pool::ClaimStore's claim, refused and settle on the shared buckets
  // (docs/marks.md, "Claims"), with the failure. `now` is this machine's
  // clock; a store shared by machines may decide on its own instead (Redis
  // claims on the server's clock, so that the fleet shares one).
  virtual util::Expected<pool::Claim> try_claim(const std::vector<pool::ClaimCandidate>& candidates,
                                                const std::string& model, util::TimePoint now,
                                                util::Millis may_wait, pool::ClaimOrder order) = 0;
  virtual util::Expected<bool> try_refused(const keys::Key& key, const std::string& model,
                                           util::TimePoint now,
                                           const pool::ClaimTicket& ticket) = 0;
  virtual util::Expected<bool> try_settle(const keys::Key& key, const std::string& model,
                                          const pool::ClaimTicket& ticket) = 0;
};

// Prompt-cache affinity kept on the shared store (docs/marks.md,
// "Affinity"), with the failure; FallbackAffinity puts it under
// FallbackStore's rule.
class SharedAffinityStore {
public:
  virtual ~SharedAffinityStore() = default;
  // The key that last served `id`, if the store still remembers it (the
  // store may keep its own time, as Redis's expiry does).
  virtual util::Expected<std::optional<pool::AffinityEntry>> try_affinity(const std::string& id,
                                                                          util::TimePoint now) = 0;
  virtual util::Expected<bool> try_remember_affinity(const std::string& id,
                                                     const std::string& fingerprint) = 0;
};

} // namespace state
