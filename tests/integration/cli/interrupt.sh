#!/usr/bin/env bash
# docs/contract.md (output and exit statuses) exit 130 and §3.7: SIGINT ends a run promptly with exit 130; the
# text streamed so far stays on stdout; marks learned before the interrupt
# are in the state file.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"keys": {
  "sk-ant-test-int-stream-Dd00001": {"deltas": ["before ", "after"], "gate_file": "'"$T"'/never"},
  "sk-ant-test-int-first-Dd000002": {"status": 429, "headers": {"retry-after-ms": "50000"}},
  "sk-ant-test-int-slow-Dd0000003": {"delay_ms": 20000, "text": "too late"},
  "sk-ant-test-int-wait-Dd0000004": {"status": 429, "headers": {"retry-after-ms": "20000"}}}}'

# --- mid-stream -----------------------------------------------------------------------
setup_pool "only sk-ant-test-int-stream-Dd00001"
start_bridge stream --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" "hi"
wait_for_output "before" 10
t0=$(now_ms)
kill -INT "$BRIDGE_PID"
wait_bridge 15
expect_rc 130
expect_fast $(($(now_ms) - t0)) 20000 "exiting on SIGINT mid-stream"
expect_out_contains "before"
expect_out_not_contains "after"

# --- during a walk: the mark made before the interrupt is kept -----------------------------
setup_pool "first sk-ant-test-int-first-Dd000002" "slow sk-ant-test-int-slow-Dd0000003"
STATE="$T/state-walk/state.json"
start_bridge ask --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" "hi"
wait_for_key_requests sk-ant-test-int-slow-Dd0000003 1 10
t0=$(now_ms)
kill -INT "$BRIDGE_PID"
wait_bridge 15
expect_rc 130
expect_fast $(($(now_ms) - t0)) 20000 "exiting on SIGINT during a request (a 20 s answer)"
expect_out_empty
[[ "$(model_field first mark)" == cooling ]] || fail "the 429 learned before SIGINT is not in the state file: $(cat "$STATE" 2>&1)"
[[ -z "$(any_mark slow)" ]] || fail "the interrupted key was marked: $(cat "$STATE")"

# --- during --wait ------------------------------------------------------------------------------
setup_pool "only sk-ant-test-int-wait-Dd0000004"
STATE="$T/state-wait/state.json"
start_bridge ask --wait=60 --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" "hi"
wait_for_key_requests sk-ant-test-int-wait-Dd0000004 1 10
sleep 0.3
t0=$(now_ms)
kill -INT "$BRIDGE_PID"
wait_bridge 15
expect_rc 130
expect_fast $(($(now_ms) - t0)) 20000 "exiting on SIGINT during --wait (a 20 s cooldown)"
echo "ok"
