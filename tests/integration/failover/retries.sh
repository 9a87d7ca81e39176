#!/usr/bin/env bash
# docs/contract.md (the failover walk) --retries N: answers that are not key-specific (408, 409, 5xx,
# 529, network failures before any byte) are retried on the SAME key; the
# server's x-should-retry decides; 4xx are not retried; the default is 2 in
# pool mode as in BYOK mode, and a retry never fails over nor marks the key.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

NEXT=sk-ant-test-retry-next-key-Gt99
start_mock '{"keys": {
  "sk-ant-test-retry-500-ask-Gt001": [{"status": 500}, {"text": "second try"}],
  "sk-ant-test-retry-500-str-Gt002": [{"status": 500}, {"deltas": ["second ", "try"]}],
  "sk-ant-test-retry-529-no-Gt0003": [{"status": 529, "headers": {"x-should-retry": "false"}}, {"text": "must not be retried"}],
  "sk-ant-test-retry-400-Gt0000004": [{"status": 400}, {"text": "must not be retried"}],
  "sk-ant-test-retry-default-Gt005": [{"status": 529}, {"status": 500}, {"text": "the third try serves"}],
  "sk-ant-test-retry-default-Gt011": {"status": 529},
  "sk-ant-test-retry-408-Gt0000006": [{"status": 408, "headers": {"retry-after-ms": "50"}}, {"status": 409, "headers": {"retry-after-ms": "50"}}, {"status": 529, "headers": {"retry-after-ms": "50"}}, {"text": "fourth try"}],
  "sk-ant-test-retry-400-yes-Gt007": [{"status": 400, "headers": {"x-should-retry": "true"}}, {"text": "retried because the server said so"}],
  "sk-ant-test-retry-503-max-Gt008": {"status": 503, "headers": {"retry-after": "0.05"}},
  "sk-ant-test-retry-long-ra-Gt010": [{"status": 503, "headers": {"retry-after": "120"}}, {"text": "not after 120 s"}],
  "'$NEXT'": {"text": "the next key must not serve"}}}'

pool() {
    setup_pool "first $1" "second $NEXT"
    STATE="$T/state-$1/state.json"
}

# retry_delay N: the delay before retry N as -v reported it ("retry N in D ms").
retry_delay() {
    sed -n "s/.*: retry $1 in \([0-9]*\) ms.*/\1/p" "$T/err" | head -n 1
}

# 500 then 200 with --retries 1: success on the same key, the next key untried.
pool sk-ant-test-retry-500-ask-Gt001
t0=$(now_ms)
run_pool ask --retries 1 -v "hi"
elapsed=$(($(now_ms) - t0))
expect_rc 0
expect_out_eq "second try"
expect_key_requests sk-ant-test-retry-500-ask-Gt001 2
expect_key_requests "$NEXT" 0
# Backoff: 0.5 s less up to 25 % jitter, as -v reports it; and the run did
# sleep that long (a busy machine only makes it longer: no upper window).
delay=$(retry_delay 1)
expect_between "$delay" 375 500 "ms of backoff before retry 1"
expect_between "$elapsed" "$delay" 60000 "ms for one retry"
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
run_pool ask --retries 3 -v "hi"
expect_rc 0
for n in 1 2 3; do
    expect_between "$(retry_delay $n)" 50 50 "ms before retry $n (retry-after-ms 50)"
done
expect_between $(($(now_ms) - t0)) 150 60000 "ms for three retries asking retry-after-ms 50"
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

# The default in pool mode: 2 retries on the same key (as in BYOK mode), so a
# 529 and a 500 followed by an answer succeed; no failover, no mark.
pool sk-ant-test-retry-default-Gt005
run_pool ask "hi"
expect_rc 0
expect_out_eq "the third try serves"
expect_key_requests sk-ant-test-retry-default-Gt005 3
expect_key_requests "$NEXT" 0
[[ "$(key_field first state)" == ready ]] || fail "a retried 529 marked the key"
# Overloaded for good: three tries, then reported (exit 1), the next key untried.
pool sk-ant-test-retry-default-Gt011
run_pool ask "hi"
expect_rc 1
expect_err_contains "529"
expect_key_requests sk-ant-test-retry-default-Gt011 3
expect_key_requests "$NEXT" 0
[[ "$(key_field first state)" == ready ]] || fail "a retried 529 marked the key"
# --retries 0 reports it at once.
pool sk-ant-test-retry-default-Gt011
run_pool ask --retries 0 "hi"
expect_rc 1
expect_key_requests sk-ant-test-retry-default-Gt011 4

# x-should-retry: true decides, even on a status that is not retried by default.
pool sk-ant-test-retry-400-yes-Gt007
run_pool ask --retries 1 "hi"
expect_rc 0
expect_out_eq "retried because the server said so"
expect_key_requests sk-ant-test-retry-400-yes-Gt007 2

# A retry-after over 60 s is not honoured for a retry: the backoff is used.
pool sk-ant-test-retry-long-ra-Gt010
t0=$(now_ms)
run_pool ask --retries 1 -v "hi"
expect_rc 0
expect_out_eq "not after 120 s"
expect_between "$(retry_delay 1)" 375 500 "ms before the retry of a 503 asking retry-after 120"
expect_fast $(($(now_ms) - t0)) 120000 "a retry of a 503 asking retry-after 120"

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
expect_between "$(retry_delay 1)" 375 500 "ms before retry 1 of a refused connection"
expect_between "$(retry_delay 2)" 750 1000 "ms before retry 2 of a refused connection"
expect_between "$elapsed" $(($(retry_delay 1) + $(retry_delay 2))) 60000 "ms for two retries of a refused connection"
echo "ok"
