#!/usr/bin/env bash
# docs/contract.md (keys) "Where keys come from" 2 and §3.8: ANTHROPIC_API_KEY with no key
# file is BYOK mode: one key, no failover, no marks, the state file neither
# read nor written; a 429 exits 75, a 401/403 exits 77; 2 retries by default.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"keys": {
  "sk-ant-test-byok-ok-Rt00000001": {"deltas": ["bring ", "your own ", "key"]},
  "sk-ant-test-byok-429-Rt0000002": {"status": 429, "headers": {"retry-after-ms": "20000"}},
  "sk-ant-test-byok-401-Rt0000003": {"status": 401},
  "sk-ant-test-byok-403-Rt0000004": {"status": 403},
  "sk-ant-test-byok-500-Rt0000005": {"status": 500, "headers": {"retry-after-ms": "50"}},
  "sk-ant-test-byok-500n-Rt000006": {"status": 500, "headers": {"retry-after-ms": "50"}}}}'

# A state file that is not valid JSON: were it read, bridge would warn and
# move it aside as state.json.corrupt; were it written, it would change.
export BRIDGE_STATE="$T/byok-state/state.json"
mkdir -p "$T/byok-state"
chmod 700 "$T/byok-state"
printf 'this is not JSON, and BYOK must not touch it\n' >"$BRIDGE_STATE"
cp "$BRIDGE_STATE" "$T/state.orig"
export ANTHROPIC_BASE_URL=$MOCK_URL

byok() {
    local key=$1
    shift
    ANTHROPIC_API_KEY=$key run_bridge "$@"
}

byok sk-ant-test-byok-ok-Rt00000001 ask "hi"
expect_rc 0
expect_out_eq "bring your own key"
expect_err_empty
byok sk-ant-test-byok-ok-Rt00000001 stream "hi"
expect_rc 0
expect_out_eq "bring your own key"
expect_err_empty
expect_mock_log_contains '"x-api-key":"sk-ant-test-byok-ok-Rt00000001"'

byok sk-ant-test-byok-429-Rt0000002 ask "hi"
expect_rc 75
expect_out_empty
expect_err_not_contains "sk-ant-test-byok-429-Rt0000002"
# No mark: the next run sends again (and gets 429 again), after no retry.
byok sk-ant-test-byok-429-Rt0000002 stream --raw "hi"
expect_rc 75
stderr_json_line
expect_err_contains '"rate_limit_error"'
expect_key_requests sk-ant-test-byok-429-Rt0000002 2

byok sk-ant-test-byok-401-Rt0000003 ask "hi"
expect_rc 77
expect_out_empty
byok sk-ant-test-byok-401-Rt0000003 stream "hi"
expect_rc 77
expect_key_requests sk-ant-test-byok-401-Rt0000003 2
byok sk-ant-test-byok-403-Rt0000004 ask "hi"
expect_rc 77

# Default 2 retries of a 500: three requests, then exit 1.
byok sk-ant-test-byok-500-Rt0000005 ask "hi"
expect_rc 1
expect_err_contains "500"
expect_key_requests sk-ant-test-byok-500-Rt0000005 3
byok sk-ant-test-byok-500n-Rt000006 ask --retries 0 "hi"
expect_rc 1
expect_key_requests sk-ant-test-byok-500n-Rt000006 1

# The state file was neither read nor written, nor any file made beside it,
# nor the default state file.
cmp -s "$BRIDGE_STATE" "$T/state.orig" || fail "BYOK changed the state file: $(cat "$BRIDGE_STATE")"
[[ "$(ls -A "$T/byok-state")" == state.json ]] || fail "BYOK made files beside the state file: $(ls -A "$T/byok-state")"
[[ ! -e "$XDG_STATE_HOME/bridge" ]] || fail "BYOK made $XDG_STATE_HOME/bridge"
echo "ok"
