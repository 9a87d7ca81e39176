#!/usr/bin/env bash
# `bridge keys check --provider openai`: one GET {base}/models per key with a
# bearer token (no Anthropic header, no token spent). The answers are read as
# a walk reads them: 200 clears a disabled mark, 401/403 disable, a 429 cools
# for the later of the x-ratelimit-reset-* durations, a 429 insufficient_quota
# rests the key for one hour and every model; with a file and with Redis state.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
export STATUS_MODEL=gpt-4o-mini

K_OK=sk-proj-test-chk-ok-Mn0000001
K_BACK=sk-proj-test-chk-back-Mn00002
K_401=sk-proj-test-chk-401-Mn000003
K_429=sk-proj-test-chk-429-Mn000004
K_QUOTA=sk-proj-test-chk-quota-M0005

start_mock '{
  "keys": {"'$K_OK'": {}, "'$K_BACK'": {}, "'$K_401'": {}, "'$K_429'": {}, "'$K_QUOTA'": {}},
  "models": {"'$K_BACK'": {"make-marks": {"status": 401}}},
  "probe": {
    "'$K_401'": {"status": 401},
    "'$K_429'": {"status": 429, "headers": {"x-ratelimit-reset-requests": "20ms", "x-ratelimit-reset-tokens": "6m0s"}},
    "'$K_QUOTA'": {"status": 429, "error_type": "insufficient_quota", "error_code": "insufficient_quota",
                   "error_message": "You exceeded your current quota"}
  }
}'
POOL_URL="$MOCK_URL/v1"
export BRIDGE_PROVIDER=openai
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD

state_of() {
    if [[ $1 == file ]]; then
        printf '%s\n' "$T/state/state.json"
    else
        printf '%s\n' "$REDIS_URL/0?prefix=check:&timeout=$REDIS_TIMEOUT_MS"
    fi
}

for where in file redis; do
    # "back" was disabled by a spurious 401 in an earlier walk (through the
    # OpenAI provider, as the check will be; at this host, since marks
    # belong to the host they were learned from).
    setup_pool "back $K_BACK" "ok $K_OK"
    STATE=$(state_of $where)
    run_pool ask -m make-marks --no-stdin "make marks"
    expect_rc 0
    setup_pool "ok $K_OK" "back $K_BACK" "r401 $K_401" "r429 $K_429" "quota $K_QUOTA"
    STATE=$(state_of $where)
    [[ "$(key_field back state)" == disabled ]] || fail "$where: setup: back not disabled: $(cat "$T/status.json")"

    before=$(mock_requests)
    t0=$(now_ms)
    run_pool keys check
    expect_rc 0
    head -n 1 "$T/out" | grep -qE '^LABEL +HINT +RESULT +DETAIL$' || fail "$where: no table header"
    grep -qE '^ok +sk-p\.\.\.0001 +ok +200' "$T/out" || fail "$where: row of ok: $(cat "$T/out")"
    grep -qE '^back +sk-p\.\.\.0002 +ok +200' "$T/out" || fail "$where: row of back: $(cat "$T/out")"
    grep -qE '^r401 +sk-p\.\.\.0003 +refused +401 invalid_request_error' "$T/out" || fail "$where: row of r401: $(cat "$T/out")"
    grep -qE '^r429 +sk-p\.\.\.0004 +rate_limited +429 .*cooling for 6m00s$' "$T/out" || fail "$where: row of r429: $(cat "$T/out")"
    # A used-up quota is a spend limit: named, with its end as a date (an
    # hour after the probe, as bridge recorded it), not as "cooling for 1h00m".
    grep -qE '^quota +sk-p\.\.\.0005 +rate_limited +429 insufficient_quota: You exceeded your current quota, spend limit until [0-9T:.-]+Z$' "$T/out" ||
        fail "$where: row of quota: $(cat "$T/out")"
    quota_end=$(sed -nE 's/^quota .*, spend limit until ([0-9T:.-]+Z)$/\1/p' "$T/out")
    expect_between "$(rfc3339_ms "$quota_end")" $((t0 + 3600000 - 2)) $(($(now_ms) + 3600000 + 2)) \
        "$where: the end of the quota's rest, as shown"
    expect_err_contains "cleared 1 disabled mark"
    [[ $(($(mock_requests) - before)) -eq 5 ]] || fail "$where: expected one probe per key"
    for k in $K_OK $K_BACK $K_401 $K_429 $K_QUOTA; do
        ! grep -qF "$k" "$T/out" "$T/err" || fail "$where: a key was printed"
    done

    # What was recorded, as a walk would have: back usable again, r401
    # disabled, r429 cooling 6 minutes, quota resting an hour for every model.
    [[ "$(key_field back state)" == ready ]] || fail "$where: back was not cleared: $(cat "$T/status.json")"
    [[ "$(key_field r401 state)" == disabled ]] || fail "$where: 401 did not disable: $(cat "$T/status.json")"
    [[ "$(key_field r429 state)" == cooling ]] || fail "$where: 429 did not cool: $(cat "$T/status.json")"
    expect_retry_in r429 360000 "$t0" "$where: r429 cooldown (6m0s)"
    [[ "$(key_field quota state)" == cooling ]] || fail "$where: quota did not cool: $(cat "$T/status.json")"
    [[ "$(key_field quota reason)" == spend_limit ]] || fail "$where: reason of quota: $(cat "$T/status.json")"
    expect_retry_in quota 3600000 "$t0" "$where: quota rest (one hour)"
    STATUS_MODEL=gpt-4o keys_status
    [[ "$(_object_of_label "$T/status.json" quota | json_field state)" == cooling ]] ||
        fail "$where: the quota rest is not for every model: $(cat "$T/status.json")"
    if [[ $where == redis ]]; then
        # r401, r429 and quota; back's mark was deleted.
        marks=$(redis_marks 'check:' -n 0)
        [[ $(grep -c . <<<"$marks") -eq 3 ]] || fail "redis: expected 3 marks in Redis, found: $marks"
    fi
done

# Every path went to {base}/models with a bearer key and nothing of Anthropic's.
log=$(grep -F '"method":"GET"' "$(mock_log)")
[[ $(grep -c . <<<"$log") -eq 10 ]] || fail "expected 10 probes in the mock log: $log"
! grep -vqF '"path":"/v1/models"' <<<"$log" || fail "a probe went elsewhere: $log"
grep -qF '"authorization":"Bearer '"$K_OK"'"' <<<"$log" || fail "no bearer key in the probe"
! grep -qF 'anthropic-version' <<<"$log" || fail "an Anthropic header in an OpenAI probe"
! grep -qF 'x-api-key' <<<"$log" || fail "x-api-key in an OpenAI probe"
# (the only messages are those of the walks that made the marks; keys check sends none)
! grep -F '"path":"/v1/chat/completions"' "$(mock_log)" | grep -vqF '"model":"make-marks"' || fail "keys check sent a message"

# Exit codes: every key refused -> 77; every key rate-limited (a quota
# included) or refused -> 75; unreachable -> 69 naming the URL.
run_pool keys check r401
expect_rc 77
run_pool keys check r429 quota r401
expect_rc 75
stop_mock
run_pool keys check ok
expect_rc 69
grep -qE '^ok +sk-p\.\.\.0001 +error +cannot reach http://127\.0\.0\.1' "$T/out" || fail "unreachable row: $(cat "$T/out")"
echo ok
