#!/usr/bin/env bash
# docs/marks.md "Affinity", the short wait: with --wait, a conversation whose
# key has no request left in its estimate waits for that key's next request,
# when that is at most one refill interval away, rather than move to a free
# key (and lose its prompt cache). On the state file's claims, then on Redis
# (claim.lua, on the server's clock).
#
# The mock's buckets hold one request per key and give it back after 10 s,
# so one refill interval is 10 s: the second turn, sent right after the
# first, finds a's request used and waits for it (at most 10 s) instead of
# going to b, which is free. A machine slow enough to take 10 s between two
# runs gives a its request back before the second turn: the turn still goes
# to a, so nothing here fails for slowness; the check has teeth on any
# machine that starts two runs within 10 s.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

KA=sk-ant-test-affwait-a-0000001
KB=sk-ant-test-affwait-b-0000002
MODEL=claude-opus-4-1
LONG=$(printf 'You answer briefly. %.0s' {1..300}) # a prefix that could be cached

# conversation NAME: two turns of one session on a fresh mock (the same
# prompt, so that the mock sees the same prefix: system and first message).
conversation() {
    local name=$1
    start_mock '{"keys": {"'$KA'": {"text": "a served"}, "'$KB'": {"text": "b served"}},
                 "buckets": {"requests": 1, "per_ms": 10000}}' "$name"
    local url
    url=$(mock_url "$name")
    POOL_URL=$url run_pool ask -m "$MODEL" --no-stdin -s "$LONG" --session conv "next, please"
    expect_rc 0
    expect_out_eq "a served"
    POOL_URL=$url run_pool ask -m "$MODEL" --no-stdin -s "$LONG" -v --wait=30 --session conv "next, please"
    expect_rc 0
    expect_out_eq "a served"
    expect_err_contains "key a (sk-a...0001): chosen for affinity"
    expect_err_not_contains "every key is cooling"
    expect_key_requests "$KB" 0 "$name"
    # The second turn found its prefix in a's cache, and no request was refused.
    [[ $(mock_stats "$name") == *'"cache":{"hits":1,"misses":1}'* ]] ||
        fail "$name: mock cache: $(mock_stats "$name")"
    [[ $(mock_stats "$name") != *'"429"'* ]] || fail "$name: a request was refused: $(mock_stats "$name")"
}

setup_pool "a $KA" "b $KB"
conversation file

start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
STATE="$REDIS_URL/0?prefix=affwait:&timeout=$REDIS_TIMEOUT_MS"
conversation redis
redis_cli --scan --pattern 'affwait:{pool}:bucket:*' | grep -q . || fail "no bucket on Redis: the claims were not made there"
echo ok
