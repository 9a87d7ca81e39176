#!/usr/bin/env bash
# Claims on Redis follow the fallback rule of marks (ARCHITECTURE.md, "A
# Redis fault"; docs/redis.md, "Faults"): a claim the server cannot make, or a
# server killed in the middle of a walk that claimed on it, never fails the
# request. Exactly one warning names the server and what went wrong, and the
# rest of the walk (its claims included) uses the machine's local state file
# and claims ledger.
#   1. The claim script fails on the server (a value of the wrong type where
#      a key's bucket belongs: WRONGTYPE), although loading the marks worked.
#   2. Redis is killed while the walk's first attempt, claimed on Redis, is
#      with the upstream (held by a gate file, so no timing is involved); the
#      walk records the 429 and claims the next key locally.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K1=sk-ant-test-cfault-one-C001
K2=sk-ant-test-cfault-two-C002
KR=sk-ant-test-cfault-rate-C003
KS=sk-ant-test-cfault-good-C004
MODEL=claude-opus-4-1
start_mock '{"keys": {
  "'$K1'": {"text": "served by one"},
  "'$K2'": {"text": "served by two"},
  "'$KR'": {"status": 429, "headers": {"retry-after": "900"}, "gate_file": "'"$T"/gate'"},
  "'$KS'": {"text": "served by good"}}}'
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
SHARED="$REDIS_URL/0?prefix=cf:&timeout=$REDIS_TIMEOUT_MS"

# fingerprint KEY: the key's fingerprint for the mock's host (docs/marks.md,
# "Marks belong to a host"): SHA-256 of the origin, a newline and the key.
fingerprint() {
    local origin=${MOCK_URL%/}
    printf 'sha256:%s' "$(printf '%s\n%s' "$origin" "$1" | sha256sum | cut -c1-32)"
}

# ---- 1. the claim itself fails on the server ------------------------------
machine P1
shared_pool "one $K1" "two $K2"
redis_cli -n 0 SET "cf:{pool}:bucket:$(fingerprint "$K1"):$MODEL" not-a-bucket >/dev/null
on_machine P1 run_pool ask -m "$MODEL" --no-stdin "hi"
expect_rc 0
expect_out_eq "served by one"
[[ $(grep -c 'warning' "$T/err") -eq 1 ]] || fail "expected exactly one warning: $(cat "$T/err")"
expect_err_contains "shared state redis://127.0.0.1:$REDIS_PORT/0: the server answered an error: WRONGTYPE"
expect_err_contains "using the local state file $(machine_state P1)"
expect_err_not_contains "$REDIS_PASSWORD"
[[ "$(redis_cli -n 0 GET "cf:{pool}:bucket:$(fingerprint "$K1"):$MODEL")" == not-a-bucket ]] ||
    fail "the planted value was changed"

# ---- 2. Redis killed while a claimed attempt is out -----------------------
machine P2
shared_pool "rate $KR" "good $KS"
on_machine P2 bg_bridge walk ask -m "$MODEL" --no-stdin --key-file "$KEYS" --state "$STATE" \
    --base-url "$MOCK_URL" "hi"
wait_for_key_requests "$KR" 1
# The walk claimed the key on Redis (a probe: its bucket is not known yet).
probe="cf:{pool}:bucket:$(fingerprint "$KR"):$MODEL"
[[ "$(redis_cli -n 0 EXISTS "$probe")" == 1 ]] || fail "the claim of key rate is not in Redis: $(redis_cli -n 0 --scan)"
pttl=$(redis_cli -n 0 PTTL "$probe")
expect_between "$pttl" 1 30000 "the probe's expiry (ms)"
stop_redis KILL
touch "$T/gate"
bg_wait walk
[[ $RC == 0 ]] || fail "the walk exited $RC: $(cat "$T/walk.err")"
[[ $(cat "$T/walk.out") == "served by good" ]] || fail "the walk printed: $(cat "$T/walk.out")"
[[ $(grep -c 'warning' "$T/walk.err") -eq 1 ]] || fail "expected exactly one warning: $(cat "$T/walk.err")"
grep -q "shared state redis://127.0.0.1:$REDIS_PORT/0: .*using the local state file $(machine_state P2)" "$T/walk.err" ||
    fail "the warning does not name the server and the local file: $(cat "$T/walk.err")"
[[ "$(STATUS_MODEL=$MODEL model_field rate mark "$(machine_state P2)")" == cooling ]] ||
    fail "the 429 learned after Redis died is not in the local state file"
expect_key_requests "$KS" 1
echo ok
