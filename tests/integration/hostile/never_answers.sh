#!/usr/bin/env bash
# Hostile upstream: servers that never answer. docs/contract.md (output and exit statuses)/§8: a timeout is a
# network failure, exit 69 (no failover; retried on the same key, --retries 2),
# reported clearly, and it comes when the timeout says, never a hang:
#   - a server that reads the request and never answers (mock delay_ms):
#     --timeout (whole request) for ask and stream, --idle-timeout (no byte)
#     for stream, text and JSON error output. A blocking `ask` may wait
#     long for its first byte (the model is writing the whole answer), so its
#     idle timeout only counts once the answer began: with --idle-timeout 1
#     --timeout 3 it is the whole-request timeout that ends it, after 3 s;
#   - a server that never even accepts the connection (mock never_accept):
#     the kernel completes the handshake, nobody reads;
#   - a server whose accept queue is full: the connection itself never
#     completes, --connect-timeout fires (the whole-request timeout is long).
# The cases run side by side to keep the test short.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"keys": {
  "sk-ant-hang-first-aaaaaaaaaaaaaaaaa": {"delay_ms": 600000},
  "sk-ant-hang-second-bbbbbbbbbbbbbbbb": {"text": "must not be asked"}
}}' hang
start_mock '{"never_accept": true}' noaccept
start_mock '{"never_accept": true, "backlog": 0}' full
HANG_URL=$(mock_url hang)
NOACCEPT_URL=$(mock_url noaccept)
FULL_URL=$(mock_url full)
FULL_PORT=${FULL_URL##*:}

KEYS=$(write_key_file "first sk-ant-hang-first-aaaaaaaaaaaaaaaaa" "second sk-ant-hang-second-bbbbbbbbbbbbbbbb")

# Fill the accept queue of `full` (backlog 0 holds one connection) so that
# the next connection attempt gets no answer at all.
exec 7<>"/dev/tcp/127.0.0.1/$FULL_PORT"

# run_case NAME URL ARGS...: case_start against URL with the pool's key file.
run_case() {
    local name=$1 url=$2
    shift 2
    case_start "$name" "$@" --no-stdin --key-file "$KEYS" --state "$T/state/state.json" --base-url "$url" q
}
run_case h_total "$HANG_URL" ask --timeout 2
run_case h_idle "$HANG_URL" ask --idle-timeout 1 --timeout 3
run_case h_stream_idle "$HANG_URL" stream --idle-timeout 1
run_case h_raw_total "$HANG_URL" stream --raw --timeout 1
run_case h_json_total "$HANG_URL" ask --json --timeout 1
run_case n_total "$NOACCEPT_URL" ask --timeout 1.5
run_case n_stream_idle "$NOACCEPT_URL" stream --idle-timeout 1
run_case f_connect "$FULL_URL" ask --connect-timeout 1 --timeout 30
cases_wait
exec 7>&-

# check NAME MIN_MS: exit 69, not before MIN_MS (the timeout itself), and a
# clear message. No upper window: a run that did not time out would wait for
# the server (10 minutes, or for ever) and meet the hang guard (exit 124).
check() {
    local name=$1 lo=$2 ms
    case_load "$name"
    ms=$MS
    expect_rc 69
    expect_out_empty
    grep -qiE 'time|no byte' "$T/err" || fail "case $name: the message does not say it timed out"
    ((ms >= lo)) || fail "case $name: exit after $ms ms, before the timeout ($lo ms)"
    echo "case $name: exit 69 after $ms ms: $(head -n 1 "$T/err")"
}
check h_total 1800
grep -qF 'whole-request timeout' "$T/err" || fail "h_total: the message does not name the whole-request timeout"
check h_idle 2800
check h_stream_idle 900
grep -qF 'idle timeout' "$T/err" || fail "h_stream_idle: the message does not name the idle timeout"
check h_raw_total 900
grep -qE '^\{"type":"error","error":\{"type":"timeout_error","message":"' "$T/err" ||
    fail "stream --raw: the timeout must be one JSON line with type timeout_error"
check h_json_total 900
grep -qE '^\{"type":"error","error":\{"type":"timeout_error","message":"' "$T/err" ||
    fail "ask --json: the timeout must be one JSON line with type timeout_error"
check n_total 1300
check n_stream_idle 900
check f_connect 900
grep -qF 'connect timeout' "$T/err" || fail "f_connect: the message does not name the connect timeout"

# No failover on a network failure: the second key was never sent.
expect_key_requests sk-ant-hang-second-bbbbbbbbbbbbbbbb 0 hang
expect_key_requests sk-ant-hang-first-aaaaaaaaaaaaaaaaa 15 hang # 5 runs, 3 tries each (--retries 2)
# Nothing was marked: a timeout says nothing about the key.
run_bridge keys status --key-file "$KEYS" --state "$T/state/state.json"
expect_rc 0
expect_out_not_contains "cooling"
expect_out_not_contains "disabled"

echo "hostile_never_answers passed"
