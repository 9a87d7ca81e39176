#!/usr/bin/env bash
# docs/marks.md "Claims", on Redis: two machines (their own HOME and local
# state) share one redis-server, and their processes claim units of the same
# request buckets there (claim.lua, on the server's clock), so that together
# they spread over the keys exactly as the processes of one machine do with
# the state file (marks/claims.sh): no request is refused, each key serves
# exactly its units, and a walk that finds every bucket empty exits 75
# without asking the upstream. The buckets live in Redis with an expiry;
# neither machine writes a local state file or ledger while Redis answers.
#
# The mock's buckets hold 5 requests per (key, model) and refill once an
# hour: over the test the refill is a small fraction of a unit, so every
# count below is exact whatever the machine's speed.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/claims.sh
source "$(dirname "$0")/../lib/claims.sh"

KA=sk-ant-test-rclaims-a-0000001
KB=sk-ant-test-rclaims-b-0000002
KC=sk-ant-test-rclaims-c-0000003
MODEL=claude-opus-4-1
start_mock '{"default": {"text": "served"}, "buckets": {"requests": 5, "per_ms": 3600000}}'
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
SHARED="$REDIS_URL/0?prefix=fleet:&timeout=$REDIS_TIMEOUT_MS"
machine A
machine B

# ---- learn each key's bucket, one request each, from either machine (a key
# file of that key alone: buckets are by fingerprint, so the pool sees them)
for triple in "A a $KA" "B b $KB" "A c $KC"; do
    read -r m label key <<<"$triple"
    shared_pool "$label $key"
    on_machine "$m" run_pool ask -m "$MODEL" --no-stdin "hi"
    expect_rc 0
    expect_err_empty
done
buckets=$(redis_cli -n 0 --scan --pattern 'fleet:{pool}:bucket:*')
[[ $(grep -c . <<<"$buckets") -eq 3 ]] || fail "expected 3 buckets in Redis, found: $buckets"
while read -r bucket; do
    [[ $bucket == *":$MODEL" ]] || fail "bucket not named by model: $bucket"
    pttl=$(redis_cli -n 0 PTTL "$bucket")
    ((pttl > 0)) || fail "bucket $bucket has no expiry (PTTL $pttl)"
done <<<"$buckets"

# ---- 12 processes at once, 6 on each machine, over the pool a, b, c: 4
# units are left on each key ------------------------------------------------
shared_pool "a $KA" "b $KB" "c $KC"
claim_at_once 12 "$MODEL" A B
# Without shared claims each machine's processes all walk to a first: a
# serves 4 and eight 429s follow. With claims on Redis each key gets exactly
# its 4 units, whichever machine asked, and no request is refused.
refused=$(by_status 429)
[[ $refused == 0 ]] || fail "$refused requests answered 429 (claims on Redis should prevent every one)"
for pair in "a $KA" "b $KB" "c $KC"; do
    read -r label key <<<"$pair"
    [[ $(mock_key_requests "$key") == 5 ]] || fail "key $label: $(mock_key_requests "$key") requests, expected 1 + 4"
done

# ---- every bucket is empty now, for both machines: no request, exit 75 ----
before=$(mock_requests)
on_machine B run_pool ask -m "$MODEL" -v --no-stdin "hi"
expect_rc 75
expect_err_contains "key a (sk-a...0001): skipped, no request left for $MODEL"
expect_err_contains "all 3 configured keys are rate-limited (retry after"
on_machine A run_pool ask -m "$MODEL" --no-stdin "hi"
expect_rc 75
[[ $(mock_requests) == "$before" ]] || fail "an empty pool still sent a request"

# Another model has buckets of its own: a serves at once.
on_machine A run_pool ask -m claude-sonnet-4-5 --no-stdin "hi"
expect_rc 0
[[ $(mock_key_requests "$KA") == 6 ]] || fail "sonnet did not go to key a"
[[ $(by_status 429) == 0 ]] || fail "a 429 for sonnet"

# While Redis answered, neither machine kept anything locally.
for m in A B; do
    [[ ! -e "$(machine_state "$m")" && ! -e "$(machine_state "$m").claims" ]] ||
        fail "machine $m wrote local state while Redis answered"
done
echo ok
