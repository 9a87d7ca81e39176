#!/usr/bin/env bash
# Messages that tell the user what to do: a base URL ending in /v1 works
# (it is the same server); --request with invalid JSON says where; one key
# gets the grammar of one; a timeout says which timeout expired.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"keys": {"sk-ant-test-msg-dead-Mm000001": {"status": 401},
  "sk-ant-test-msg-slow-Mm000002": {"delay_ms": 30000}}, "default": {"text": "fine"}}'
setup_pool "only sk-ant-test-msg-key-Mm0000003"

# --- a base URL ending in /v1 --------------------------------------------------
for suffix in /v1 /v1/; do
    POOL_URL="$MOCK_URL$suffix" run_pool ask hi
    expect_rc 0
    expect_out_eq "fine"
done
expect_mock_log_not_contains '"/v1/v1/messages"'
ANTHROPIC_BASE_URL="$MOCK_URL/v1" run_bridge stream --key-file "$KEYS" --state "$STATE" hi
expect_rc 0

# --- --request with invalid JSON: where -----------------------------------------------
printf '{\n  "model": "m",\n  "max_tokens": 5,,\n}\n' >"$T/bad.json"
run_pool ask --request "$T/bad.json"
expect_rc 2
expect_err_contains "not valid JSON"
expect_err_contains "line 3, column"
printf '[1, 2]' >"$T/array.json"
run_pool ask --request "$T/array.json"
expect_rc 2
expect_err_contains "not an object"

# --- one key: the grammar of one ---------------------------------------------------------
setup_pool "dead sk-ant-test-msg-dead-Mm000001"
STATE="$T/state-dead/state.json"
run_pool ask hi
expect_rc 77
expect_err_contains "the only configured key is disabled"
expect_err_not_contains "all 1"

# --- which timeout expired ---------------------------------------------------------------
setup_pool "slow sk-ant-test-msg-slow-Mm000002"
STATE="$T/state-slow/state.json"
run_pool ask --timeout 1 hi
expect_rc 69
expect_err_contains "whole-request timeout"
expect_err_not_contains "Timeout was reached"
# The server was reached: the request timed out, it was not unreachable.
expect_err_contains "timed out (connected, no answer)"
expect_err_not_contains "cannot reach"
run_pool stream --idle-timeout 1 hi
expect_rc 69
expect_err_contains "idle timeout"
echo "ok"
