#pragma once

#include "keys/key.hpp"
#include "pool/key_marks.hpp"
#include "util/clock.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pool {

// What a claim on a known bucket carries to the end of its attempt
// (docs/marks.md, "Claims"): the bucket's claim counter before it, and how
// many claims of the bucket were out then (taken, their attempts not over).
// The answer to its request can then tell which claims the upstream may
// not have counted yet: those out when it was taken, and every claim taken
// after it, settled or not.
struct ClaimTicket {
  double number = -1; // Bucket::taken before this claim; below 0: no ticket
  double out = 0;     // Bucket::out before this claim
  bool valid() const { return number >= 0; }
};

// What bridge believes about one (key, model) request bucket (docs/marks.md,
// "Claims"). Anthropic refills a bucket continuously, and its -reset header
// is the moment it is full again; so between two answers the level is a
// straight line rising towards the limit at `per_ms` units a millisecond.
// The level may be below zero: units already promised to processes that
// are waiting for them.
struct Bucket {
  double level = 0; // units at `at`
  util::TimePoint at{};
  double limit = 0;
  double per_ms = 0; // refill rate; 0 when unknown (never refills)
  // Claims taken from this bucket since it was made (each claim's ticket
  // number), claims whose attempts are not over yet (out), and the counter
  // when `out` was last forgotten (out_from; a ticket numbered before it
  // no longer counts in `out`).
  double taken = 0;
  double out = 0;
  double out_from = 0;

  // The level at `now`: the refill since `at`, never above the limit. A
  // clock gone backwards counts no refill.
  double level_at(util::TimePoint now) const;
  // How long from `now` until the level reaches one unit (0 when it has);
  // nullopt when it never will (no refill known).
  std::optional<util::Millis> until_one(util::TimePoint now) const;
  // How long one unit takes to refill; nullopt when no refill is known.
  std::optional<util::Millis> refill_interval() const;
  // Takes one unit at `now` (the level may go below zero: a reservation)
  // for a claim, whose attempt is out until end_claim(). A bucket that no
  // claim or answer changed for k_probe_timeout forgets its claims out
  // first: every request claimed before then has reached the upstream or
  // never will.
  ClaimTicket take(util::TimePoint now);
  // The attempt of the claim of `ticket` is over (answered, refused or
  // failed): one claim fewer out. A ticket from before `out` was last
  // forgotten, or not of this bucket, changes nothing; no ticket (a probe's
  // request answered after its bucket was made) ends one claim all the same.
  void end_claim(const ClaimTicket& ticket);

  // What an answer of this key and model said at `seen`: `remaining` of
  // `limit` requests, full again at `reset`. Each such answer bounds the
  // refill rate from above ((limit - remaining) / (reset - seen): the true
  // level is at least `remaining`), so the lowest bound seen is kept while
  // the limit stays the same. The level becomes the lower of what the
  // answer implies and what this bucket says (units claimed by requests
  // still on their way are not in the answer yet). With the `ticket` of the
  // answer's own claim it may also rise, up to what the answer implies less
  // every claim the upstream may not have counted when it answered (the
  // claims out when this one was taken, and every claim taken since): so
  // an estimate that fell behind (an answer read late, a unit claimed and
  // never used) catches up instead of staying behind for good.
  void observe(long long remaining, long long limit, std::optional<util::TimePoint> reset,
               util::TimePoint seen, const ClaimTicket& ticket = {});
  // A 429 for this key and model at `now`: the bucket is empty.
  void refused(util::TimePoint now);

  // A placeholder for a bucket not known yet while requests that will
  // teach it are on their way (a probe): limit 0, and -level of them since
  // `at` (docs/marks.md, "Claims"). It changes no walk: keys never seen are
  // walked in order; it only lets the first answer count the others.
  bool probing() const { return limit <= 0; }
};

// How long a probe placeholder that never settles (its process died) is
// kept before it is forgotten.
constexpr util::Millis k_probe_timeout{30'000};

// The rate assumed when no answer has yet bounded it: Anthropic's request
// limits are per minute.
constexpr double k_default_window_ms = 60'000.0;

// A bucket made from the first answer that reported it.
Bucket first_bucket(long long remaining, long long limit, std::optional<util::TimePoint> reset,
                    util::TimePoint seen);

// The buckets known, by bucket_id(fingerprint, model).
using BucketMap = std::map<std::string, Bucket>;
std::string bucket_id(const std::string& fingerprint, const std::string& model);

// A key a walk may use, in key-file order. `soft`: the key carries a mark
// that only says its requests ran out (a proactive mark): its bucket
// decides when there is one, and without one the mark is obeyed.
// `patience`: how long the walk would rather wait for this key's next unit
// than go to another key (the key of the affinity, with --wait; 0: never).
struct ClaimCandidate {
  const keys::Key* key = nullptr;
  bool soft = false;
  util::Millis patience{0};
};

// The answer to a claim over candidates.
struct Claim {
  enum class Kind {
    go,   // use candidates[index] (after sleeping `wait` when it is > 0)
    none, // no candidate can serve within the allowed wait
  };
  Kind kind = Kind::none;
  std::size_t index = 0;
  util::Millis wait{0};
  bool estimated = false; // the key's bucket is known and a unit was claimed
  bool probe = false;     // the key's bucket is not known: settle_claim() after the attempt
  ClaimTicket ticket;     // with `estimated`: for the answer, or settle_claim()
  // Candidates skipped because their bucket is empty, with the time until
  // their next unit (for -v and for exhaustion): those before the chosen
  // one, or with ClaimOrder::most_left every one.
  std::vector<std::pair<std::size_t, util::Millis>> empty;
};

// Which of the candidates with a unit left a claim chooses (docs/marks.md,
// "Claims" and "Affinity").
enum class ClaimOrder {
  // The first in key-file order: the plain walk.
  key_file,
  // The one with the most units left now, ties in key-file order: the walk
  // of a conversation that no key serves yet, so that new conversations
  // spread over the pool instead of all starting on its first keys. A key
  // never seen counts as full: as many units as the largest limit known
  // among the candidates, less the requests of its probe still on their
  // way (with no limit known, the key with the fewest probes out).
  most_left,
};

// The claim rule (docs/marks.md): the first candidate, in order, whose
// bucket holds at least one unit, or that has no known bucket (and no soft
// mark), is chosen (with ClaimOrder::most_left: of all such candidates, the
// one with the most units left), and a unit of its bucket is taken (for a
// key never seen, the probe placeholder counts one more request on its
// way). A candidate with `patience` whose bucket is empty is chosen all the
// same when its next unit is within that patience and at most one refill
// interval away (no unit of it is promised to another waiter yet): that
// unit is taken ahead and waited for. When no candidate is chosen, and
// `may_wait` > 0, the candidate whose next unit comes soonest is chosen if
// that is within `may_wait`: its unit is taken ahead (the level goes below
// zero), so that the next waiter is promised the unit after it. A key
// without a bucket whose probe already has as many requests on their way
// as the largest bucket known among the candidates holds is passed over,
// and chosen (the first such) only when nothing else is, not even a wait.
Claim claim_in(BucketMap& buckets, const std::vector<ClaimCandidate>& candidates,
               const std::string& model, util::TimePoint now, util::Millis may_wait,
               ClaimOrder order = ClaimOrder::key_file);

// Folds the "requests" reading of an answer (if any) into the bucket of
// (fingerprint, model), making the bucket at its first sight. A valid
// `ticket` is the claim the answer's request was sent under: it lets the
// answer raise the estimate (Bucket::observe), and its claim is over
// (Bucket::end_claim) whether or not the answer had a reading.
void observe_requests(BucketMap& buckets, const std::string& fingerprint, const std::string& model,
                      const ModelLimits& limits, const ClaimTicket& ticket = {});
// A 429 for (fingerprint, model): its bucket, if known, is empty now, and
// the claim of `ticket`, if any, is over.
void refuse_bucket(BucketMap& buckets, const std::string& fingerprint, const std::string& model,
                   util::TimePoint now, const ClaimTicket& ticket = {});

// The attempt of a claim ended without an answer that said so (a probe's,
// or one with `ticket` that failed otherwise): a probe has one request
// fewer on its way, and once none is left and no answer taught the bucket
// the key is unknown again; a known bucket has one claim fewer out.
void settle_claim(BucketMap& buckets, const std::string& fingerprint, const std::string& model,
                  const ClaimTicket& ticket);

// Drops buckets that have been full for a long time (nothing to remember).
void prune_buckets(BucketMap& buckets, util::TimePoint now);

} // namespace pool
