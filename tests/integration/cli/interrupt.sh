#!/usr/bin/env bash
# docs/contract.md (output and exit statuses) exit 130 and §3.7: SIGINT ends a run promptly with exit 130; the
# text streamed so far stays on stdout; marks learned before the interrupt
# are in the state file. What SIGINT interrupts does not end by itself in
# time (a stream whose rest is held back: the mock's gate gives up after 30 s
# and then "after" and exit 0 would follow; a 10-minute answer; a 10-minute
# cooldown), so the exit code and output say whether the signal ended the
# run: the bounds are hang guards, not windows.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"keys": {
  "sk-ant-test-int-stream-Dd00001": {"deltas": ["before ", "after"], "gate_file": "'"$T"'/never"},
  "sk-ant-test-int-first-Dd000002": {"status": 429, "headers": {"retry-after-ms": "50000"}},
  "sk-ant-test-int-slow-Dd0000003": {"delay_ms": 600000, "text": "too late"},
  "sk-ant-test-int-wait-Dd0000004": {"status": 429, "headers": {"retry-after-ms": "600000"}}}}'

# --- mid-stream -----------------------------------------------------------------------
setup_pool "only sk-ant-test-int-stream-Dd00001"
start_bridge stream --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" "hi"
wait_for_output "before" "$HANG_GUARD_S"
kill -INT "$BRIDGE_PID"
wait_bridge "$HANG_GUARD_S"
expect_rc 130
expect_out_contains "before"
expect_out_not_contains "after"

# --- during a walk: the mark made before the interrupt is kept -----------------------------
setup_pool "first sk-ant-test-int-first-Dd000002" "slow sk-ant-test-int-slow-Dd0000003"
STATE="$T/state-walk/state.json"
start_bridge ask --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" "hi"
wait_for_key_requests sk-ant-test-int-slow-Dd0000003 1 "$HANG_GUARD_S"
kill -INT "$BRIDGE_PID"
wait_bridge "$HANG_GUARD_S" # the answer would take 10 minutes
expect_rc 130
expect_out_empty
[[ "$(model_field first mark)" == cooling ]] || fail "the 429 learned before SIGINT is not in the state file: $(cat "$STATE" 2>&1)"
[[ -z "$(any_mark slow)" ]] || fail "the interrupted key was marked: $(cat "$STATE")"

# --- during --wait ------------------------------------------------------------------------------
setup_pool "only sk-ant-test-int-wait-Dd0000004"
STATE="$T/state-wait/state.json"
start_bridge ask --wait=900 --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" "hi"
wait_for_key_requests sk-ant-test-int-wait-Dd0000004 1 "$HANG_GUARD_S"
# bridge says when it starts waiting (stderr): then the signal lands in the wait.
wait_until "$HANG_GUARD_S" "bridge announcing its wait" grep -qF "waiting" "$T/err"
kill -INT "$BRIDGE_PID"
wait_bridge "$HANG_GUARD_S" # the wait would take 10 minutes
expect_rc 130
echo "ok"
