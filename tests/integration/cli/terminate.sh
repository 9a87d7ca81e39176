#!/usr/bin/env bash
# SIGTERM (a cancelled CI job) ends a run as SIGINT does, with exit 143: in
# the middle of a stream the text so far is ended with a newline and one
# message follows on stderr; marks learned before it are in the state file.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"keys": {
  "sk-ant-test-term-stream-Tt00001": {"deltas": ["half a line", " never sent"], "gate_file": "'"$T"'/never"},
  "sk-ant-test-term-first-Tt000002": {"status": 429, "headers": {"retry-after-ms": "50000"}},
  "sk-ant-test-term-slow-Tt0000003": {"delay_ms": 600000, "text": "too late"}}}'

# --- mid-stream: newline after the partial text, one message, exit 143 --------------
for mode in "" "--raw"; do
    setup_pool "only sk-ant-test-term-stream-Tt00001"
    # shellcheck disable=SC2086
    start_bridge stream $mode --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" "hi"
    wait_for_output "half a line" "$HANG_GUARD_S"
    kill -TERM "$BRIDGE_PID"
    # The rest is held back by a gate that never opens (the mock gives up
    # after 30 s and sends it, with exit 0): the exit code and output tell.
    wait_bridge "$HANG_GUARD_S"
    expect_rc 143
    if [[ -z $mode ]]; then
        expect_out_exact $'half a line\n'
        [[ $(wc -l <"$T/err") -eq 1 ]] || fail "expected exactly one line on stderr"
        expect_err_contains "bridge: terminated"
    else
        expect_out_not_contains "never sent"
        stderr_json_line
        expect_err_contains "terminated"
    fi
done

# --- during a walk: the mark made before SIGTERM is kept ----------------------------
setup_pool "first sk-ant-test-term-first-Tt000002" "slow sk-ant-test-term-slow-Tt0000003"
STATE="$T/state-walk/state.json"
start_bridge ask --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" "hi"
wait_for_key_requests sk-ant-test-term-slow-Tt0000003 1 "$HANG_GUARD_S"
kill -TERM "$BRIDGE_PID"
wait_bridge "$HANG_GUARD_S" # the answer would take 10 minutes
expect_rc 143
expect_out_empty
expect_err_contains "terminated"
[[ "$(model_field first mark)" == cooling ]] || fail "the 429 learned before SIGTERM is not in the state file: $(cat "$STATE" 2>&1)"
[[ -z "$(any_mark slow)" ]] || fail "the terminated attempt marked its key: $(cat "$STATE")"
echo "ok"
