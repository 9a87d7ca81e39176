#!/usr/bin/env bash
# --provider openai streams (docs/providers.md): a `data:` event carrying "error"
# is a mid-stream error (exit 1, the text so far on stdout, the error on
# stderr; relayed as received with --raw); a stream that ends before
# `data: [DONE]` or is cut off is exit 1; a failure before the first event
# fails over; an error status is reported with its type, message and
# x-request-id, without failover.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_MID=sk-proj-test-se-mid-Ef00000001
K_DROP=sk-proj-test-se-drop-Ef0000002
K_EARLY=sk-proj-test-se-early-Ef000003
K_OK=sk-proj-test-se-ok-Ef000000004
K_400=sk-proj-test-se-400-Ef00000005
K_NOEND=sk-proj-test-se-noend-Ef000006
done_less_chunks='["data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"cut \"}}]}\n\n", "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"short\"}}]}\n\n"]'
start_mock '{"keys": {
  "'$K_MID'": {"deltas": ["partial ", "answer", " never seen"], "error_after": 2,
               "error_type": "server_error", "error_message": "The model crashed"},
  "'$K_DROP'": {"deltas": ["a ", "b ", "c"], "drop_after": 1},
  "'$K_EARLY'": {"deltas": ["x"], "drop_after": 0, "preamble": false},
  "'$K_OK'": {"deltas": ["after ", "failover"]},
  "'$K_400'": {"status": 400, "error_message": "Unsupported value: temperature", "error_code": "unsupported_value"},
  "'$K_NOEND'": {"chunks": '"$done_less_chunks"'}}}'
POOL_URL="$MOCK_URL/v1"
export BRIDGE_PROVIDER=openai

setup_pool "mid $K_MID" "ok $K_OK"
run_pool stream "go"
expect_rc 1
expect_out_eq "partial answer"
expect_err_contains "The model crashed"
expect_err_contains "server_error"
expect_key_requests "$K_OK" 0    # once an event arrived there is no failover

run_pool stream --raw "go"
expect_rc 1
expect_out_contains '"error":{"message":"The model crashed","type":"server_error"'
expect_out_not_contains "[DONE]"

setup_pool "drop $K_DROP" "ok $K_OK"
run_pool stream "go"
expect_rc 1
expect_out_exact $'a \n'
expect_err_contains "cut off"

setup_pool "noend $K_NOEND" "ok $K_OK"
run_pool stream "go"
expect_rc 1
expect_out_eq "cut short"
expect_err_contains "before data: [DONE]"

# A connection dropped before any event: a network failure before the
# answer began, reported like ask's (no failover, no key-specific meaning).
setup_pool "early $K_EARLY" "ok $K_OK"
run_pool stream "go"
[[ $RC -eq 1 || $RC -eq 69 ]] || fail "a drop before the first event: exit $RC"
expect_key_requests "$K_OK" 0

# An error status: reported with type, message and x-request-id; no failover.
for cmd in ask stream; do
    setup_pool "bad $K_400" "ok $K_OK"
    run_pool "$cmd" "go"
    expect_rc 1
    expect_err_contains "400 invalid_request_error: Unsupported value: temperature"
    expect_err_contains "(request-id req_mock_"
    expect_key_requests "$K_OK" 0
done
run_pool ask --json "go"
expect_rc 1
expect_err_contains '{"type":"error","error":{"type":"invalid_request_error","message":"Unsupported value: temperature"},"request_id":"req_mock_'
