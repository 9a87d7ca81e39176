#!/usr/bin/env bash
# docs/contract.md (the failover walk), §6: when no usable key is left the walk is exhausted: exit 75
# naming when a key is ready (rounded up) when one is cooling, exit 77 naming
# `bridge keys reset` when all are disabled; in --json / --raw the error is one
# JSON line; `keys status` exits 0 / 75 / 77.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

X1=sk-ant-test-exhaust-cool-Vb001
X2=sk-ant-test-exhaust-cool-Vb002
Y1=sk-ant-test-exhaust-dead-Vb401
Y2=sk-ant-test-exhaust-dead-Vb403
start_mock '{"keys": {
  "'$X1'": {"status": 429, "headers": {"retry-after-ms": "90000"}},
  "'$X2'": {"status": 429, "headers": {"retry-after-ms": "42500"}},
  "'$Y1'": {"status": 401},
  "'$Y2'": {"status": 403}}}'

# expect_rounded_up SECONDS: the soonest key (b, 42.5 s) rounded up. The
# message was made before this check reads keys status, so SECONDS is at least
# ceil(retry_in_ms now / 1000) however slow the machine; and it is at most 43.
# Rounding down would give 42 while keys status still says more than 42 s.
expect_rounded_up() {
    local n=$1 left
    left=$(key_field b retry_in_ms)
    [[ "$n" =~ ^[0-9]+$ ]] || fail "retry after '$n' is not whole seconds"
    expect_between "$n" $(((left + 999) / 1000)) 43 "seconds to the soonest key (42.5 s, rounded up; $left ms left now)"
}

# --- transient: every key cooling ---------------------------------------------
setup_pool "a $X1" "b $X2"
run_pool ask "hi"
expect_rc 75
expect_out_empty
# the soonest (42.5 s, not 90 s), rounded up
n=$(sed -n 's/.*retry after \([0-9]*\)s.*/\1/p' "$T/err")
expect_rounded_up "$n"
expect_err_contains "rate-limited"
expect_requests 2
keys_status
[[ $STATUS_RC -eq 75 ]] || fail "keys status --json with every key cooling: exit $STATUS_RC, want 75"
run_bridge keys status -m claude-sonnet-4-5 --key-file "$KEYS" --state "$STATE"
expect_rc 75
expect_out_contains "cooling"
# Without -m: for the model ask would use (claude-sonnet-4-5), as ask (75).
run_bridge keys status --key-file "$KEYS" --state "$STATE"
expect_rc 75
expect_out_contains "claude-sonnet-4-5: retry in"
# A key cooling for one model is ready for the others (exit 0), its
# cooldown listed under it.
run_bridge keys status -m claude-opus-4-1 --key-file "$KEYS" --state "$STATE"
expect_rc 0
expect_out_contains "claude-sonnet-4-5: retry in"

# The next run walks without a single request.
run_pool stream "hi"
expect_rc 75
expect_out_empty
grep -qE 'retry after [0-9]+s' "$T/err" || fail "no 'retry after Ns' in the message"
expect_rounded_up "$(sed -n 's/.*retry after \([0-9]*\)s.*/\1/p' "$T/err")"
# Not waiting for the key: a run that did would then have sent it a request.
expect_requests 2

for mode in "ask --json" "stream --raw"; do
    # shellcheck disable=SC2086 # two words on purpose
    run_pool $mode "hi"
    expect_rc 75
    expect_out_empty
    stderr_json_line
    grep -qE '^\{"type": ?"error", ?"error": ?\{"type": ?"rate_limit_error", ?"message": ?"[^"]+"\}, ?"retry_after": ?[0-9]+\}$' "$T/err" ||
        fail "$mode: the exhaustion line is not {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":...},\"retry_after\":N}"
    cp "$T/err" "$T/retry_after_line"
    expect_rounded_up "$(sed -n 's/.*"retry_after": *\([0-9]*\)}$/\1/p' "$T/retry_after_line")"
done
expect_requests 2

# --- permanent: every key disabled ----------------------------------------------
setup_pool "a $Y1" "b $Y2"
STATE="$T/state-dead/state.json"
run_pool stream "hi"
expect_rc 77
expect_out_empty
expect_err_contains "bridge keys reset"
expect_requests 4
run_pool ask "hi"
expect_rc 77
expect_err_contains "bridge keys reset"
expect_requests 4
keys_status
[[ $STATUS_RC -eq 77 ]] || fail "keys status with every key disabled: exit $STATUS_RC, want 77"
for mode in "ask --json" "stream --raw"; do
    # shellcheck disable=SC2086
    run_pool $mode "hi"
    expect_rc 77
    expect_out_empty
    stderr_json_line
    grep -qE '^\{"type": ?"error", ?"error": ?\{"type": ?"api_error", ?"message": ?"[^"]*bridge keys reset[^"]*"\}' "$T/err" ||
        fail "$mode: permanent exhaustion is not one api_error JSON line naming bridge keys reset"
done

# --- one disabled, one cooling: transient ----------------------------------------
setup_pool "a $Y1" "b $X2"
STATE="$T/state-mixed/state.json"
run_pool ask "hi"
expect_rc 75
expect_rounded_up "$(sed -n 's/.*retry after \([0-9]*\)s.*/\1/p' "$T/err")"
keys_status
[[ $STATUS_RC -eq 75 ]] || fail "keys status, one key disabled and one cooling: exit $STATUS_RC, want 75"

# --- keys status exits 0 with a ready key (and with no state file at all) --------
setup_pool "a $Y1" "b $X2" "c sk-ant-test-exhaust-ready-Vb0200"
STATE="$T/state-mixed/state.json"
keys_status
[[ $STATUS_RC -eq 0 ]] || fail "keys status with a ready key: exit $STATUS_RC"
STATE="$T/nowhere/state.json"
keys_status
[[ $STATUS_RC -eq 0 ]] || fail "keys status with no state file: exit $STATUS_RC"
# docs/contract.md (the failover walk): the delay is rounded up to whole seconds; "retry_after": SECONDS is
# then a whole number (3, not 3.0: a client decoding it into an integer fails).
grep -qE '"retry_after": ?[0-9]+\}$' "$T/retry_after_line" ||
    fail "retry_after is not a whole number of seconds: $(cat "$T/retry_after_line")"
echo "ok"
