#!/usr/bin/env bash
# docs/contract.md (output and exit statuses) (a done-when proof): `bridge stream` writes and flushes each text
# delta as it arrives, even into a pipe. The mock sends the first delta, then
# holds the rest until a gate file exists; the test creates it only after the
# first delta has come out of the pipe. A bridge that buffered would never
# show it, and the test would fail on the wait (bounded).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"keys": {
  "sk-ant-test-gate-text-Ii000001": {"deltas": ["first-piece ", "second-piece ", "third-piece"], "gate_file": "'"$T"'/gate-text"},
  "sk-ant-test-gate-raw-Ii0000002": {"deltas": ["first-piece ", "second-piece ", "third-piece"], "gate_file": "'"$T"'/gate-raw"},
  "sk-ant-test-gate-pace-Ii000003": {"deltas": ["a1 ", "a2 ", "a3 ", "a4 ", "a5"], "pace_ms": 400}}}'

setup_pool "only sk-ant-test-gate-text-Ii000001"
start_bridge stream --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" "hi"
wait_for_output "first-piece" "$HANG_GUARD_S"
sleep 0.2
expect_out_not_contains "second-piece" # the gate holds the rest back
touch "$T/gate-text"
wait_bridge "$HANG_GUARD_S"
expect_rc 0
expect_out_eq "first-piece second-piece third-piece"

setup_pool "only sk-ant-test-gate-raw-Ii0000002"
start_bridge stream --raw --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" "hi"
wait_for_output '"text":"first-piece "' "$HANG_GUARD_S"
expect_out_not_contains "second-piece"
touch "$T/gate-raw"
wait_bridge "$HANG_GUARD_S"
expect_rc 0
expect_out_contains '"text":"third-piece"'
expect_out_contains 'event: message_stop'

# Paced: each delta is out about when it was sent, not all at the end.
setup_pool "only sk-ant-test-gate-pace-Ii000003"
t0=$(now_ms)
start_bridge stream --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" "hi"
wait_for_output "a2" "$HANG_GUARD_S"
t_a2=$(($(now_ms) - t0))
expect_out_not_contains "a5"
wait_bridge "$HANG_GUARD_S"
t_end=$(($(now_ms) - t0))
expect_rc 0
expect_out_eq "a1 a2 a3 a4 a5"
((t_end - t_a2 >= 700)) || fail "a2 came out only $((t_end - t_a2)) ms before the end of a 2 s paced stream"
echo "ok"
