#!/usr/bin/env bash
# docs/contract.md (the failover walk) row "network failure": connection refused, a timeout, a connection
# cut mid-answer — none fails over, none marks a key; unreachable is exit 69.
# A failure before any byte is retried on the same key (--retries, 2 by default).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K1=sk-ant-test-netfail-first-Lm001
K2=sk-ant-test-netfail-second-Lm02

# --- connection refused: a mock that was stopped ------------------------------
start_mock '{"default": {}}' gone
dead_url=$(mock_url gone)
stop_mock gone
setup_pool "first $K1" "second $K2"
POOL_URL=$dead_url
for cmd in ask stream; do
    # Waiting for the connect timeout (300 s here) would end in run_bridge's
    # guard (60 s, exit 124), not in 69.
    run_pool "$cmd" -v --connect-timeout 300 "hello"
    expect_rc 69
    expect_out_empty
    expect_err_contains "first"
    # -v names every attempt: the second key must not have been tried.
    expect_err_not_contains "second"
    expect_err_not_contains "$K1"
    [[ "$(key_field first state)" == ready ]] || fail "$cmd: a refused connection marked the key"
done
run_pool ask --json "hello"
expect_rc 69
expect_out_empty
stderr_json_line
run_pool stream --raw "hello"
expect_rc 69
expect_out_empty
stderr_json_line

# --- a whole-request timeout: the second key is never tried --------------------
# The answer takes 10 minutes: a run that waited for it would end in
# run_bridge's guard (60 s, exit 124), not in 69.
start_mock '{"keys": {"'$K1'": {"delay_ms": 600000}, "'$K2'": {"text": "must not be served"}}}'
POOL_URL=$MOCK_URL
for cmd in ask stream; do
    run_pool "$cmd" --timeout 1 "hello"
    expect_rc 69
    expect_out_empty
    expect_key_requests "$K2" 0
    [[ "$(key_field first state)" == ready ]] || fail "$cmd: a timeout marked the key"
done
expect_key_requests "$K1" 6 # ask and stream, three tries each

# --- a blocking answer cut mid-body: no failover, exit 1 (not 0) ---------------
start_mock '{"keys": {"'$K1'": {"drop_after": 30, "text": "a long enough answer that is cut short"}, "'$K2'": {"text": "must not be served"}}}' cut
POOL_URL=$(mock_url cut)
run_pool ask "hello"
[[ $RC -eq 1 || $RC -eq 69 ]] || fail "an answer cut mid-body: expected exit 1 (or 69), got $RC"
expect_out_empty
expect_key_requests "$K2" 0 cut
echo "ok"
