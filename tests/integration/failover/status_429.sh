#!/usr/bin/env bash
# docs/contract.md (the failover walk) row "429": the key cools for the delay the response asks for
# (retry-after-ms, Retry-After seconds or HTTP-date, 60 s when it names none), the next key
# is tried, and the mark is in the state file — for both `ask` and `stream`.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_MS=sk-ant-test-429ms-Qw3rTy00001
K_SEC=sk-ant-test-429sec-Qw3rTy0002
K_NONE=sk-ant-test-429none-Qw3rTy03
K_DATE=sk-ant-test-429date-Qw3rTy05
K_OK=sk-ant-test-serves-Qw3rTy0004

script='{
  "keys": {
    "'$K_MS'":   {"status": 429, "headers": {"retry-after-ms": "50000"}, "error_message": "slow down (ms)"},
    "'$K_SEC'":  {"status": 429, "headers": {"Retry-After": "70"}},
    "'$K_NONE'": {"status": 429},
    "'$K_DATE'": {"status": 429, "headers": {"Date": "Wed, 21 Oct 2015 07:28:00 GMT", "Retry-After": "Wed, 21 Oct 2015 07:34:40 GMT"}},
    "'$K_OK'":   {"deltas": ["served ", "by the ", "fourth key"]}
  }
}'

for cmd in ask stream; do
    start_mock "$script" "$cmd"
    POOL_URL=$(mock_url "$cmd")
    setup_pool "ms $K_MS" "sec $K_SEC" "none $K_NONE" "date $K_DATE" "ok $K_OK"
    STATE="$T/state-$cmd/state.json"

    t0=$(now_ms)
    run_pool "$cmd" "which key?"
    expect_rc 0
    expect_out_eq "served by the fourth key"
    for k in "$K_MS" "$K_SEC" "$K_NONE" "$K_DATE" "$K_OK"; do
        expect_key_requests "$k" 1 "$cmd"
    done

    # keys status: the three cooling keys with the delay each response asked for.
    keys_status
    [[ $STATUS_RC -eq 0 ]] || fail "$cmd: keys status exit $STATUS_RC with a ready key"
    [[ "$(key_field ms state)" == cooling ]] || fail "$cmd: key ms not cooling: $(cat "$T/status.json")"
    [[ "$(key_field sec state)" == cooling ]] || fail "$cmd: key sec not cooling: $(cat "$T/status.json")"
    [[ "$(key_field none state)" == cooling ]] || fail "$cmd: key none not cooling: $(cat "$T/status.json")"
    [[ "$(key_field ok state)" == ready ]] || fail "$cmd: key ok not ready: $(cat "$T/status.json")"
    # Every delay is long (60 s at least) so that no key is ready again
    # before this test has looked at it, however slow the machine.
    # The delay each response asked for, as bridge recorded it (until - since
    # in the state file), and a retry_in_ms no longer than that and no
    # shorter than that less the time this test has spent since the run began.
    expect_cooldown ms 50000 "$t0" "$cmd: after retry-after-ms 50000"
    expect_cooldown sec 70000 "$t0" "$cmd: after Retry-After 70"
    expect_cooldown none 60000 "$t0" "$cmd: after a 429 naming no delay"
    # An HTTP-date, measured from the response's Date header: 400 s.
    expect_cooldown date 400000 "$t0" "$cmd: after Retry-After: an HTTP-date 400 s after Date"
    [[ "$(key_field ms status)" == 429 ]] || fail "$cmd: status of key ms: $(cat "$T/status.json")"
    [[ "$(key_field ms reason)" == rate_limit_error ]] || fail "$cmd: reason of key ms: $(cat "$T/status.json")"
    [[ -n "$(key_field ms until)" ]] || fail "$cmd: no 'until' for a cooling key"

    # The state file: one entry per cooling key, labelled, with its hint,
    # the mark, the status and the type; never the key itself.
    [[ -f "$STATE" ]] || fail "$cmd: no state file at $STATE"
    for label in ms sec none; do
        [[ "$(model_field $label mark)" == cooling ]] || fail "$cmd: state entry of $label: $(cat "$STATE")"
        [[ "$(model_field $label status)" == 429 ]] || fail "$cmd: state status of $label: $(cat "$STATE")"
        [[ "$(model_field $label reason)" == rate_limit_error ]] || fail "$cmd: state reason of $label: $(cat "$STATE")"
        [[ "$(model_field $label until)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$ ]] ||
            fail "$cmd: 'until' of $label is not an RFC 3339 UTC time: $(cat "$STATE")"
    done
    [[ "$(state_field ms hint)" == "sk-a...0001" ]] || fail "$cmd: hint of key ms in the state: $(cat "$STATE")"
    [[ -z "$(any_mark ok)" ]] || fail "$cmd: the key that served was marked: $(cat "$STATE")"
    grep -q '"version"[[:space:]]*:[[:space:]]*1' "$STATE" || fail "$cmd: no version 1 in $(cat "$STATE")"
    for k in "$K_MS" "$K_SEC" "$K_NONE" "$K_OK"; do
        ! grep -qF "$k" "$STATE" || fail "$cmd: a key is written in the state file"
        ! grep -qF "$k" "$T/status.json" || fail "$cmd: keys status printed a key"
    done
done

# Machine output after a failover carries only the answer that served: the
# 429 bodies are neither relayed (--raw) nor printed (--json).
start_mock "$script" machine
POOL_URL=$(mock_url machine)
STATE="$T/state-json/state.json"
run_pool ask --json "hi"
expect_rc 0
expect_err_empty
expect_out_not_contains "rate_limit_error"
grep -qE '^\{"id":"msg_mock_[0-9]+","type":"message"' "$T/out" || fail "ask --json after a failover: not the served body"
STATE="$T/state-raw/state.json"
run_pool stream --raw "hi"
expect_rc 0
expect_err_empty
expect_out_not_contains "rate_limit_error"
[[ "$(head -n 1 "$T/out")" == "event: message_start" ]] || fail "stream --raw after a failover does not begin with the served stream"
expect_out_contains "event: message_stop"
echo "ok"
