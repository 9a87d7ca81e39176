#pragma once

#include "pool/mark_store.hpp"
#include "state/shared_store.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>

namespace state {

// Shared state that never fails a request: the shared store (Redis) first,
// and the local state file when it cannot be used. This is the one place
// that decides what a fault of the shared store means (docs/redis.md,
// "Faults"), the same for every command:
//
// - Reading and recording marks fall back. The first failure of the shared
//   store (cannot connect, no answer within its timeout, an error answer, a
//   refused password) gives one warning naming the server (never its
//   password), what failed and how long it took, and from then on this
//   invocation loads from and records into the fallback store, so that the
//   machine still remembers what it learns while Redis is away. While the
//   shared store answers, the fallback store is not touched.
// - Changes whose whole purpose is the shared store (reset, reset_all,
//   clear_disabled: `keys reset`, and `keys check` clearing the disabled
//   marks of keys that work again) never fall back: they throw util::Error
//   with exit 69 (unavailable) saying the shared store could not be changed,
//   and change nothing anywhere (reset_all, a walk by SCAN, says how many
//   marks it removed before the failure). Clearing a mark in one machine's file would
//   leave the fleet's mark in place while saying it was cleared.
// - A failure the shared store calls a configuration error (a refused
//   password, user or database: SharedStore::failure_is_configuration) is
//   named so in the warning and the message ("configuration error: ..."),
//   and a change it stops exits 78 (configuration) rather than 69: waiting
//   will not mend it. Reading and recording still fall back, as above.
//
// Claims (claim, refused, settle: docs/marks.md, "Claims") follow the rule of
// reading and recording: the shared store's buckets while it answers, and
// after its first failure (a claim's included, with the same one warning)
// the fallback store's (the local claims ledger). The walker sees one
// PoolStore and never knows which store served it.
class FallbackStore final : public pool::PoolStore {
public:
  using WarningSink = std::function<void(const std::string&)>;

  // `fallback_name` names the fallback store in the warning (a path).
  FallbackStore(SharedStore& primary, pool::PoolStore& fallback, std::string fallback_name,
                WarningSink warn);

  pool::MarkMap load() override;
  using pool::MarkStore::record;
  void record(const keys::Key& key, const pool::Scope& scope, const pool::KeyMark& mark) override;
  void record_limits(const keys::Key& key, const std::string& model,
                     const pool::ModelLimits& limits, const pool::ClaimTicket& ticket) override;
  pool::Claim claim(const std::vector<pool::ClaimCandidate>& candidates, const std::string& model,
                    util::TimePoint now, util::Millis may_wait, pool::ClaimOrder order) override;
  void refused(const keys::Key& key, const std::string& model, util::TimePoint now,
               const pool::ClaimTicket& ticket) override;
  void settle(const keys::Key& key, const std::string& model,
              const pool::ClaimTicket& ticket) override;

  // Throw util::Error (exit 69, or 78 for a configuration error) when the
  // shared store cannot be changed, or failed earlier in this invocation.
  std::size_t reset(const std::vector<std::string>& fingerprints) override;
  std::size_t reset_all() override;
  std::size_t clear_disabled(const std::vector<std::string>& fingerprints) override;

  bool using_fallback() const { return m_down; }

  // The rule of reading and recording, once (the marks, the claims, and
  // FallbackAffinity's affinity): `shared()`, which returns a
  // util::Expected, while the shared store answers; its first failure gives
  // the one warning, and then, as every call from then on, `local()` serves.
  template <typename Shared, typename Local>
  auto shared_or_local(Shared&& shared, Local&& local) -> decltype(local()) {
    if (!m_down) {
      auto start = std::chrono::steady_clock::now();
      auto done = shared();
      if (done) {
        if constexpr (std::is_void_v<decltype(local())>) {
          return;
        } else {
          // Swapped out rather than moved: GCC 12 at -O3 takes the
          // moved-from variant's destructor for a delete of a stack object
          // (-Wfree-nonheap-object, a false positive).
          decltype(local()) value{};
          using std::swap;
          swap(value, *done);
          return value;
        }
      }
      give_up(done.error(),
              std::chrono::duration_cast<util::Millis>(std::chrono::steady_clock::now() - start));
    }
    return local();
  }

private:
  void give_up(const std::string& problem, util::Millis spent);
  // The rule for changes: the count, or util::Error (exit 69).
  // `atomic`: the failed change changed nothing (so the message says so).
  std::size_t change(const char* what, const util::Expected<std::size_t>& done,
                     bool atomic = true) const;
  void refuse_if_down(const char* what) const;
  util::ExitCode exit_code() const; // of a change refused after give_up

  SharedStore& m_primary;
  pool::PoolStore& m_fallback;
  std::string m_fallback_name;
  WarningSink m_warn;
  bool m_down = false;
  std::string m_problem;        // the first failure, once m_down
  bool m_configuration = false; // that failure is a configuration error
};

} // namespace state
