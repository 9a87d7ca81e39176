#!/usr/bin/env bash
# Values far outside any real time, planted in Redis or in the claims
# ledger, are clamped on reading: a disabled mark dated -2^63 ms prints as
# 1970 and is called suspect; a cooldown whose PTTL is near 2^63 keeps the
# key cooling (it used to overflow and make the key ready); a bucket level
# of -1e300 leaves the key empty (an out-of-range cast made it usable at
# once). When every key is disabled by marks from Redis, the message says
# where they came from and that no request was made.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_DIS=sk-ant-test-planted-dis-0001
K_COOL=sk-ant-test-planted-cool-002
start_mock '{"keys": {
  "'$K_DIS'": {"status": 401, "body": "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"no\"}}"},
  "'$K_COOL'": {"status": 429, "headers": {"retry-after": "60"}}}}'
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
SHARED="$REDIS_URL?timeout=$REDIS_TIMEOUT_MS"
shared_pool "dis $K_DIS" "cool $K_COOL"
run_pool ask --no-stdin "hi"
[[ $RC == 75 ]] || fail "expected the walk to mark both keys (exit 75)"
dis_mark=$(redis_cli --scan --pattern 'bridge:{pool}:mark:*:key' | while read -r k; do
    if [[ $(redis_cli HGET "$k" kind) == disabled ]]; then echo "$k"; fi; done)
cool_mark=$(redis_cli --scan --pattern 'bridge:{pool}:mark:*' | while read -r k; do
    if [[ $(redis_cli HGET "$k" kind) == cooling ]]; then echo "$k"; fi; done)
[[ -n "$dis_mark" && -n "$cool_mark" ]] || fail "marks not found: '$dis_mark' '$cool_mark'"

redis_cli HSET "$dis_mark" since_ms -9223372036854775808 >/dev/null
redis_cli HSET "$cool_mark" delay_ms 9223372036854775807 >/dev/null
redis_cli PEXPIRE "$cool_mark" 9223370000000000000 >/dev/null
[[ $(redis_cli PTTL "$cool_mark") -gt 9000000000000000000 ]] || fail "PTTL not planted"

keys_status
[[ $STATUS_RC == 75 ]] || fail "keys status exit $STATUS_RC: $(cat "$T/status.json")"
[[ $(key_field dis state) == disabled ]] || fail "dis: $(cat "$T/status.json")"
[[ $(key_field dis since) == 1970-01-01T00:00:00.000Z ]] || fail "dis since: $(key_field dis since)"
[[ $(key_field dis suspect) == true ]] || fail "dis is not called suspect: $(cat "$T/status.json")"
[[ $(key_field cool state) == cooling ]] || fail "cool is not cooling: $(cat "$T/status.json")"
[[ $(key_field cool suspect) == true ]] || fail "cool is not called suspect"
run_pool keys status
expect_err_not_contains "runtime error"
expect_out_contains "since 1970-01-01T00:00:00.000Z (401 authentication_error) [suspect date"

# Every key disabled by marks from Redis: said so, and no request made.
redis_cli HSET "$cool_mark" kind disabled >/dev/null
redis_cli PERSIST "$cool_mark" >/dev/null
before_dis=$(mock_key_requests "$K_DIS")
before_cool=$(mock_key_requests "$K_COOL")
run_pool ask --no-stdin "hi"
expect_rc 77
expect_err_contains "all 2 configured keys are disabled (marks from redis://127.0.0.1:$REDIS_PORT/0; no request was made)"
expect_err_not_contains "$REDIS_PASSWORD"
expect_key_requests "$K_DIS" "$before_dis"
expect_key_requests "$K_COOL" "$before_cool"

# ---- the claims ledger: a level of -1e300 is an empty bucket ----
K_ONE=sk-ant-test-planted-ledger-01
MODEL=claude-opus-4-1
stop_mock
start_mock '{"default": {"text": "served"}, "buckets": {"requests": 5, "per_ms": 3600000}}'
STATE="$T/state/state.json"
KEYS=$(write_key_file "one $K_ONE")
run_pool ask -m "$MODEL" --no-stdin "hi"
expect_rc 0
[[ -f "$STATE.claims" ]] || fail "no claims ledger"
sed -i -E 's/"level":[-0-9.eE+]+/"level":-1e300/' "$STATE.claims"
grep -q '"level":-1e300' "$STATE.claims" || fail "level not planted: $(cat "$STATE.claims")"
before=$(mock_key_requests "$K_ONE")
run_pool ask -m "$MODEL" --no-stdin "hi"
expect_rc 75
expect_err_not_contains "runtime error"
expect_key_requests "$K_ONE" "$before"
echo "ok"
