#!/usr/bin/env bash
# docs/contract.md ("The pool behind any tool"): through the listener, a pool
# whose every key is cooling answers 429 with retry-after (whole seconds,
# rounded up) and retry-after-ms in the provider's error shape; a pool whose
# every key is disabled answers 401 naming `bridge keys check`; an answer
# that is not the key's fault is relayed as received, and not retried; with
# --wait the request is held for the soonest key instead.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/listener.sh
source "$(dirname "$0")/../lib/listener.sh"

K1=sk-ant-exhaust-one-Qw3rTy001
K2=sk-ant-exhaust-two-Qw3rTy002
D1=sk-ant-revoked-one-Qw3rTy003
D2=sk-ant-revoked-two-Qw3rTy004
E1=sk-ant-err-one-Qw3rTy0000005
W1=sk-ant-wait-one-Qw3rTy000006
start_mock '{"keys": {
  "'$K1'": {"status": 429, "headers": {"retry-after-ms": "80500"}},
  "'$K2'": {"status": 429, "headers": {"retry-after-ms": "90000"}},
  "'$D1'": {"status": 401},
  "'$D2'": {"status": 403},
  "'$E1'": {"status": 400, "error_message": "bad request body", "headers": {"x-marker": "relayed"}},
  "'$W1'": [{"status": 429, "headers": {"retry-after-ms": "300"}}, {"text": "after the wait"}]}}'
BODY='{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}'

setup_pool "one $K1" "two $K2"
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL"
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d "$BODY"
[[ "$CODE" == 429 ]] || fail "exhausted: status $CODE"
# The soonest key's wait, as long as the test has been slow shorter than the
# 80.5 s it asked for; retry-after is the same in whole seconds, rounded up.
ms=$(head_value retry-after-ms)
expect_between "$ms" 1 80500 "retry-after-ms"
[[ "$(head_value retry-after)" == $(((ms + 999) / 1000)) ]] || fail "retry-after: $(cat "$T/head")"
grep -q '^{"type":"error","error":{"type":"rate_limit_error"' "$T/body" || fail "body: $(cat "$T/body")"
expect_key_requests "$K1" 1
expect_key_requests "$K2" 1
# Again: both keys are cooling, nothing reaches the mock.
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d "$BODY"
[[ "$CODE" == 429 ]] || fail "exhausted again: status $CODE"
expect_requests 2
stop_serve

KEYS=$(write_key_file "d1 $D1" "d2 $D2")
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL"
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d "$BODY"
[[ "$CODE" == 401 ]] || fail "all disabled: status $CODE"
grep -q 'bridge keys check' "$T/body" || fail "all disabled: body $(cat "$T/body")"
stop_serve

KEYS=$(write_key_file "e1 $E1" "two $K2")
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL"
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d "$BODY"
[[ "$CODE" == 400 ]] || fail "a 400: status $CODE"
[[ "$(head_value x-marker)" == relayed ]] || fail "the 400's headers: $(cat "$T/head")"
[[ "$(head_value bridge-key)" == e1 ]] || fail "the 400's bridge-key: $(cat "$T/head")"
grep -q 'bad request body' "$T/body" || fail "the 400's body: $(cat "$T/body")"
expect_key_requests "$E1" 1 # no retry: --retries is 0 in the listener
stop_serve

# --wait: the one key cools for 300 ms; the request waits for it and is served.
KEYS=$(write_key_file "w1 $W1")
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" --wait=60
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d "$BODY"
[[ "$CODE" == 200 ]] || fail "--wait: status $CODE: $(cat "$T/body")"
grep -q 'after the wait' "$T/body" || fail "--wait: body $(cat "$T/body")"
expect_key_requests "$W1" 2
stop_serve
