#!/usr/bin/env bash
# Values far outside any real time, planted in Redis or in the claims
# ledger, are clamped on reading: a disabled mark dated -2^63 ms prints as
# 1970 and is called suspect; a cooldown whose end is near 2^63 keeps the
# key cooling (it used to overflow and make the key ready), in the marks
# hash as in a mark of the earlier layout with a PTTL near 2^63; a bucket level
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
marks=$(redis_marks bridge:)
dis_fp=$(awk -F'\t' '$3 == "disabled" { print $1 }' <<<"$marks")
cool_fp=$(awk -F'\t' '$3 == "cooling" { print $1 }' <<<"$marks")
cool_scope=$(awk -F'\t' '$3 == "cooling" { print $2 }' <<<"$marks")
[[ -n "$dis_fp" && -n "$cool_fp" ]] || fail "marks not found: $marks"
# plant FP LINE: the marks of FP in the pool's hash, as a server could hold them.
plant() { redis_cli HSET 'bridge:{pool}:marks' "$1" "$2" >/dev/null; }

plant "$dis_fp" $'key\tdisabled\t401\t-9223372036854775808\t0\tdis\tsk-a...0001\tauthentication_error'
plant "$cool_fp" "$cool_scope"$'\tcooling\t429\t9223372036854775807\t9223372036854775807\tcool\tsk-a...-002\trate_limit_error'
redis_cli PERSIST 'bridge:{pool}:marks' >/dev/null
check_planted() {
    keys_status
    [[ $STATUS_RC == 75 ]] || fail "keys status exit $STATUS_RC: $(cat "$T/status.json")"
    [[ $(key_field dis state) == disabled ]] || fail "dis: $(cat "$T/status.json")"
    [[ $(key_field dis since) == 1970-01-01T00:00:00.000Z ]] || fail "dis since: $(key_field dis since)"
    [[ $(key_field dis suspect) == true ]] || fail "dis is not called suspect: $(cat "$T/status.json")"
    [[ $(key_field cool state) == cooling ]] || fail "cool is not cooling: $(cat "$T/status.json")"
    [[ $(key_field cool suspect) == true ]] || fail "cool is not called suspect"
}
check_planted
# The same as the previous release kept them: one hash per mark, with PTTL.
redis_cli DEL 'bridge:{pool}:marks' >/dev/null
redis_cli HSET "bridge:{pool}:mark:$dis_fp:key" kind disabled status 401 reason authentication_error \
    since_ms -9223372036854775808 delay_ms 0 >/dev/null
cool_mark="bridge:{pool}:mark:$cool_fp:$cool_scope"
redis_cli HSET "$cool_mark" kind cooling status 429 reason rate_limit_error since_ms 1 \
    delay_ms 9223372036854775807 >/dev/null
redis_cli PEXPIRE "$cool_mark" 9223370000000000000 >/dev/null
[[ $(redis_cli PTTL "$cool_mark") -gt 9000000000000000000 ]] || fail "PTTL not planted"
redis_cli SADD "bridge:{pool}:scopes:$dis_fp" key >/dev/null
redis_cli SADD "bridge:{pool}:scopes:$cool_fp" "$cool_scope" >/dev/null
check_planted
run_pool keys status
expect_err_not_contains "runtime error"
expect_out_contains "since 1970-01-01T00:00:00.000Z (401 authentication_error) [suspect date"

# Every key disabled by marks from Redis: said so, and no request made.
plant "$cool_fp" $'key\tdisabled\t401\t1\t0\tcool\tsk-a...-002\tauthentication_error'
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
