#!/usr/bin/env bash
# docs/marks.md "Claims", crowded probes, on Redis (claim.lua;
# marks/claims_crowded.sh is the same on the state file's ledger): a key whose
# bucket is not known yet, but whose probe already has as many requests on
# their way as the largest known bucket of the pool holds, is passed over for
# a key never seen, and used only when no other key can serve. Before, every
# walk that found the known keys empty went to it (a fleet's sixth request to
# such a key was refused).
#
# The probe is planted as the server would hold it after five walks sent to
# b: nothing here depends on timing but the probe's own 30 s life. The mock's
# buckets hold 5 requests and refill once an hour, so every count is exact.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

KA=sk-ant-test-rcrowd-a-00000001
KB=sk-ant-test-rcrowd-b-00000002
KC=sk-ant-test-rcrowd-c-00000003
MODEL=claude-opus-4-1
start_mock '{"default": {"text": "served"}, "buckets": {"requests": 5, "per_ms": 3600000}}'
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
SHARED="$REDIS_URL/0?prefix=fleet:&timeout=$REDIS_TIMEOUT_MS"

# b's bucket, to learn its name; then a's, used up (5 of 5).
shared_pool "b $KB"
run_pool ask -m "$MODEL" --no-stdin "hi"
expect_rc 0
b_bucket=$(redis_cli -n 0 --scan --pattern 'fleet:{pool}:bucket:*')
[[ $(grep -c . <<<"$b_bucket") == 1 ]] || fail "expected b's bucket alone: $b_bucket"
shared_pool "a $KA"
for _ in 1 2 3 4 5; do
    run_pool ask -m "$MODEL" --no-stdin "hi"
    expect_rc 0
done

# b becomes a key not known yet with five requests on their way (a probe:
# limit 0, level minus their number, at the server's time).
now_ms=$(redis_cli -n 0 TIME | {
    read -r s
    read -r us
    echo $((s * 1000 + us / 1000))
})
redis_cli -n 0 DEL "$b_bucket" >/dev/null
redis_cli -n 0 HSET "$b_bucket" level -5 at "$now_ms" limit 0 per_ms 0 >/dev/null
redis_cli -n 0 PEXPIRE "$b_bucket" 30000 >/dev/null

# a is empty, b crowded: c, never seen, serves.
shared_pool "a $KA" "b $KB" "c $KC"
run_pool ask -m "$MODEL" -v --no-stdin "hi"
expect_rc 0
expect_out_eq served
[[ $(mock_key_requests "$KC") == 1 ]] || fail "key c: $(mock_key_requests "$KC") requests, expected 1"
[[ $(mock_key_requests "$KB") == 1 ]] || fail "key b: $(mock_key_requests "$KB") requests, expected 1 (the crowded probe was used)"
[[ $(mock_key_requests "$KA") == 5 ]] || fail "key a: $(mock_key_requests "$KA") requests, expected 5"

# Without c, nothing else can serve: b after all, its probe one request more.
shared_pool "a $KA" "b $KB"
run_pool ask -m "$MODEL" --no-stdin "hi"
expect_rc 0
expect_out_eq served
[[ $(mock_key_requests "$KB") == 2 ]] || fail "key b: $(mock_key_requests "$KB") requests, expected 2"
[[ $(mock_key_requests "$KA") == 5 ]] || fail "key a was asked while empty"
echo ok
