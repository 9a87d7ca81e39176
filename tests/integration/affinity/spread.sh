#!/usr/bin/env bash
# docs/marks.md "Affinity", where conversations start: a walk whose
# affinity no key serves yet claims the key with the most requests left in
# its estimate (a key never seen counting as full; ties in key-file order)
# rather than the first key with one, so new conversations spread over the
# pool; a walk without an affinity keeps key-file order, and a conversation
# stays on its key. On the state file's claims ledger, then on Redis
# (claim.lua), one conversation after another and six at once.
#
# The mock's buckets hold 5 requests per key and give one back an hour
# later: over the test no request comes back, so every count is exact. Six
# conversations started at once spread 2 2 2 too, whatever the timing: a
# key that has served none always has more left than one that has served
# some, and an estimate is never above what the upstream has left.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/claims.sh
source "$(dirname "$0")/../lib/claims.sh"

KA=sk-ant-test-affspread-a-000001
KB=sk-ant-test-affspread-b-000002
KC=sk-ant-test-affspread-c-000003
MODEL=claude-opus-4-1
BUCKETS='{"default": {"text": "served"}, "buckets": {"requests": 5, "per_ms": 3600000}}'

# expect_spread A B C WHAT: the requests keys a, b and c received, and no 429.
expect_spread() {
    local got
    got="$(mock_key_requests "$KA") $(mock_key_requests "$KB") $(mock_key_requests "$KC")"
    [[ $got == "$1 $2 $3" ]] || fail "$4: requests per key $got, expected $1 $2 $3: $(mock_stats)"
    [[ $(by_status 429) == 0 ]] || fail "$4: a request was refused: $(mock_stats)"
}

# one_by_one STATE...: conversations started one after another.
one_by_one() {
    start_mock "$BUCKETS"
    setup_pool "a $KA" "b $KB" "c $KC"
    STATE=$1
    local s
    for s in 1 2 3 4 5 6; do
        run_pool ask -m "$MODEL" --no-stdin --session "conv-$s" "first turn"
        expect_rc 0
        expect_out_eq served
    done
    # In key-file order a would have taken the first five.
    expect_spread 2 2 2 "six new conversations"
    # Without an affinity, the first key with a request left: a.
    run_pool ask -m "$MODEL" --no-stdin "a one-off question"
    expect_rc 0
    expect_spread 3 2 2 "a one-off question"
    # A new conversation: b and c have the most left (3), b first.
    run_pool ask -m "$MODEL" --no-stdin --session conv-7 "first turn"
    expect_rc 0
    expect_spread 3 3 2 "a seventh conversation"
    # conv-1 started on a: it stays there, though b and c have more left.
    run_pool ask -m "$MODEL" --no-stdin -v --session conv-1 "second turn"
    expect_rc 0
    expect_err_contains "key a (sk-a...0001): chosen for affinity"
    expect_spread 4 3 2 "conv-1's second turn"
    stop_mock
}

# at_once STATE [MACHINE...]: six conversations started at once.
at_once() {
    start_mock "$BUCKETS"
    setup_pool "a $KA" "b $KB" "c $KC"
    STATE=$1
    shift
    CLAIM_SESSION=conv claim_at_once 6 "$MODEL" "$@"
    expect_spread 2 2 2 "six conversations at once"
    stop_mock
}

one_by_one "$T/one/state.json"
at_once "$T/at-once/state.json"
# Before the first answer no bucket is known, and the plain walk takes no
# lock; a new conversation makes the ledger, so that the probes of the
# conversations starting at once count. Once every probe is answered, the
# ledger holds the buckets the answers taught.
[[ -s "$T/at-once/state.json.claims" ]] || fail "no claims ledger beside the state file"

start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
machine A
machine B
one_by_one "$REDIS_URL/0?prefix=one:&timeout=$REDIS_TIMEOUT_MS"
at_once "$REDIS_URL/0?prefix=both:&timeout=$REDIS_TIMEOUT_MS" A B
buckets=$(redis_cli -n 0 --scan --pattern 'both:{pool}:bucket:*' | grep -c .)
[[ $buckets == 3 ]] || fail "expected 3 buckets on Redis, found $buckets"
for m in A B; do
    [[ ! -e "$(machine_state "$m").claims" ]] || fail "machine $m claimed locally while Redis answered"
done
echo ok
