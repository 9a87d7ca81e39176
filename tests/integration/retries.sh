#!/usr/bin/env bash
# SPEC §3.6 --retries N: answers that are not key-specific (408, 409, 5xx,
# 529, network failures before any byte) are retried on the SAME key; the
# server's x-should-retry decides; 4xx are not retried; the default in pool
# mode is 0.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

NEXT=sk-ant-test-retry-next-key-Gt99
start_mock '{"keys": {
  "sk-ant-test-retry-500-ask-Gt001": [{"status": 500}, {"text": "second try"}],
  "sk-ant-test-retry-500-str-Gt002": [{"status": 500}, {"deltas": ["second ", "try"]}],
  "sk-ant-test-retry-529-no-Gt0003": [{"status": 529, "headers": {"x-should-retry": "false"}}, {"text": "must not be retried"}],
  "sk-ant-test-retry-400-Gt0000004": [{"status": 400}, {"text": "must not be retried"}],
  "sk-ant-test-retry-default-Gt005": [{"status": 500}, {"text": "must not be retried"}],
  "sk-ant-test-retry-408-Gt0000006": [{"status": 408, "headers": {"retry-after-ms": "50"}}, {"status": 409, "headers": {"retry-after-ms": "50"}}, {"status": 529, "headers": {"retry-after-ms": "50"}}, {"text": "fourth try"}],
  "sk-ant-test-retry-400-yes-Gt007": [{"status": 400, "headers": {"x-should-retry": "true"}}, {"text": "retried because the server said so"}],
  "sk-ant-test-retry-503-max-Gt008": {"status": 503, "headers": {"retry-after": "0.05"}},
  "sk-ant-test-retry-long-ra-Gt010": [{"status": 503, "headers": {"retry-after": "120"}}, {"text": "not after 120 s"}],
  "'$NEXT'": {"text": "the next key must not serve"}}}'

pool() {
    setup_pool "first $1" "second $NEXT"
    STATE="$T/state-$1/state.json"
}

# 500 then 200 with --retries 1: success on the same key, the next key untried.
pool sk-ant-test-retry-500-ask-Gt001
t0=$(now_ms)
run_pool ask --retries 1 "hi"
expect_rc 0
expect_out_eq "second try"
expect_key_requests sk-ant-test-retry-500-ask-Gt001 2
expect_key_requests "$NEXT" 0
# Backoff: 0.5 s less up to 25 % jitter.
expect_between $(($(now_ms) - t0)) 350 3000 "ms for one retry (backoff 0.375-0.5 s)"
[[ "$(key_field first state)" == ready ]] || fail "a retried 500 marked the key"

pool sk-ant-test-retry-500-str-Gt002
run_pool stream --retries 1 "hi"
expect_rc 0
expect_out_eq "second try"
expect_key_requests sk-ant-test-retry-500-str-Gt002 2
expect_key_requests "$NEXT" 0

# 408, 409, 529 are retried too, after the retry-after-ms (50 ms) they ask for
# rather than the 0.5 s, 1 s, 2 s backoff.
pool sk-ant-test-retry-408-Gt0000006
t0=$(now_ms)
run_pool ask --retries 3 "hi"
expect_between $(($(now_ms) - t0)) 0 1200 "ms for three retries asking retry-after-ms 50"
expect_rc 0
expect_out_eq "fourth try"
expect_key_requests sk-ant-test-retry-408-Gt0000006 4

# Retries run out: the last answer is reported (Retry-After 0.05 s honoured).
pool sk-ant-test-retry-503-max-Gt008
run_pool ask --retries 2 "hi"
expect_rc 1
expect_err_contains "503"
expect_key_requests sk-ant-test-retry-503-max-Gt008 3
expect_key_requests "$NEXT" 0

# 529 with x-should-retry: false is not retried.
pool sk-ant-test-retry-529-no-Gt0003
run_pool ask --retries 2 "hi"
expect_rc 1
expect_err_contains "529"
expect_key_requests sk-ant-test-retry-529-no-Gt0003 1
expect_key_requests "$NEXT" 0

# A 400 is not retried.
pool sk-ant-test-retry-400-Gt0000004
run_pool ask --retries 2 "hi"
expect_rc 1
expect_err_contains "400"
expect_key_requests sk-ant-test-retry-400-Gt0000004 1

# The default in pool mode: no retry.
pool sk-ant-test-retry-default-Gt005
run_pool ask "hi"
expect_rc 1
expect_err_contains "500"
expect_key_requests sk-ant-test-retry-default-Gt005 1
expect_key_requests "$NEXT" 0

# x-should-retry: true decides, even on a status that is not retried by default.
pool sk-ant-test-retry-400-yes-Gt007
run_pool ask --retries 1 "hi"
expect_rc 0
expect_out_eq "retried because the server said so"
expect_key_requests sk-ant-test-retry-400-yes-Gt007 2

# A retry-after over 60 s is not honoured for a retry: the backoff is used.
pool sk-ant-test-retry-long-ra-Gt010
t0=$(now_ms)
run_pool ask --retries 1 "hi"
expect_rc 0
expect_out_eq "not after 120 s"
expect_between $(($(now_ms) - t0)) 0 3000 "ms for a retry of a 503 asking retry-after 120"

# A network failure before any byte is retried: connection refused, --retries 2
# takes the two backoffs (0.375 s + 0.75 s at least) before exit 69.
start_mock '{"default": {}}' gone
dead=$(mock_url gone)
stop_mock gone
setup_pool "first sk-ant-test-retry-refused-Gt09"
t0=$(now_ms)
POOL_URL=$dead run_pool ask --retries 2 -v "hi"
elapsed=$(($(now_ms) - t0))
expect_rc 69
expect_between "$elapsed" 1000 6000 "ms for two retries of a refused connection"
echo "ok"
