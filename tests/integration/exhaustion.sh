#!/usr/bin/env bash
# SPEC §3.4, §6: when no usable key is left the walk is exhausted: exit 75
# naming when a key is ready (rounded up) when one is cooling, exit 77 naming
# `bridge keys reset` when all are disabled; in --json / --raw the error is one
# JSON line; `keys status` exits 0 / 75 / 77.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

X1=sk-ant-test-exhaust-cool-Vb001
X2=sk-ant-test-exhaust-cool-Vb002
Y1=sk-ant-test-exhaust-dead-Vb401
Y2=sk-ant-test-exhaust-dead-Vb403
start_mock '{"keys": {
  "'$X1'": {"status": 429, "headers": {"retry-after-ms": "9000"}},
  "'$X2'": {"status": 429, "headers": {"retry-after-ms": "2500"}},
  "'$Y1'": {"status": 401},
  "'$Y2'": {"status": 403}}}'

# --- transient: every key cooling ---------------------------------------------
setup_pool "a $X1" "b $X2"
run_pool ask "hi"
expect_rc 75
expect_out_empty
expect_err_contains "retry after 3s" # the soonest (2.5 s, not 9 s), rounded up
expect_err_contains "rate-limited"
expect_requests 2
keys_status
[[ $STATUS_RC -eq 75 ]] || fail "keys status --json with every key cooling: exit $STATUS_RC, want 75"
run_bridge keys status --key-file "$KEYS" --state "$STATE"
expect_rc 75
expect_out_contains "cooling"

# The next run walks without a single request.
t0=$(now_ms)
run_pool stream "hi"
expect_rc 75
expect_out_empty
grep -qE 'retry after [1-3]s' "$T/err" || fail "no 'retry after Ns' in the message"
expect_requests 2
expect_between $(($(now_ms) - t0)) 0 1500 "ms to report exhaustion with nothing to send"

for mode in "ask --json" "stream --raw"; do
    # shellcheck disable=SC2086 # two words on purpose
    run_pool $mode "hi"
    expect_rc 75
    expect_out_empty
    stderr_json_line
    grep -qE '^\{"type": ?"error", ?"error": ?\{"type": ?"rate_limit_error", ?"message": ?"[^"]+"\}, ?"retry_after": ?[1-3](\.0+)?\}$' "$T/err" ||
        fail "$mode: the exhaustion line is not {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":...},\"retry_after\":N}"
    cp "$T/err" "$T/retry_after_line"
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
expect_err_contains "retry after 3s"
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
# SPEC §3.4: the delay is rounded up to whole seconds; "retry_after": SECONDS is
# then a whole number (3, not 3.0: a client decoding it into an integer fails).
grep -qE '"retry_after": ?[0-9]+\}$' "$T/retry_after_line" ||
    fail "retry_after is not a whole number of seconds: $(cat "$T/retry_after_line")"
echo "ok"
