#!/usr/bin/env bash
# docs/contract.md ("The pool behind any tool"), with a client nobody here
# wrote: the official `@anthropic-ai/sdk` (anthropic_sdk.mjs), given only the
# listener's base URL and token, against `bridge serve`. A blocking message
# and a stream are served by the second key after the first one's 429 (the
# SDK never sees it); an exhausted pool gives the SDK a RateLimitError with
# retry-after and retry-after-ms; the SDK's own retries follow retry-after-ms
# to a key that has cooled; the token never reaches the upstream. Skipped
# (exit 77) when node or the package is missing: bench/run installs it.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/listener.sh
source "$(dirname "$0")/../lib/listener.sh"
need_node_packages @anthropic-ai/sdk
check=$(node_script anthropic_sdk.mjs)

K1=sk-ant-sdk-one-Qw3rTy00000001
K2=sk-ant-sdk-two-Qw3rTy00000002
E1=sk-ant-sdk-cool-Qw3rTy0000003
E2=sk-ant-sdk-cool-Qw3rTy0000004
W1=sk-ant-sdk-wait-Qw3rTy0000005
start_mock '{"keys": {
  "'$K1'": {"status": 429, "headers": {"retry-after": "90"}},
  "'$K2'": {"text": "served by the second key"},
  "'$E1'": {"status": 429, "headers": {"retry-after-ms": "80500"}},
  "'$E2'": {"status": 429, "headers": {"retry-after-ms": "90000"}},
  "'$W1'": [{"status": 429, "headers": {"retry-after-ms": "300"}}, {"text": "after the wait"}]}}'

# run_sdk MODE EXPECT: the check, with the listener as the SDK's whole world.
run_sdk() {
    local rc=0
    env -u ANTHROPIC_AUTH_TOKEN ANTHROPIC_BASE_URL="$A_URL" ANTHROPIC_API_KEY="$TOKEN" EXPECT="$2" \
        timeout "$HANG_GUARD_S" node "$check" "$1" >"$T/sdk.out" 2>&1 || rc=$?
    cat "$T/sdk.out"
    ((rc == 0)) || fail "the SDK check '$1' failed (exit $rc)"
}

setup_pool "one $K1" "two $K2"
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" -v
run_sdk served "served by the second key"
expect_key_requests "$K1" 1
expect_key_requests "$K2" 2
# The SDK saw no 429: the listener answered it 200 twice, and that is all.
[[ "$(grep -c '^bridge: POST /anthropic/v1/messages ' "$T/serve.err")" == 2 ]] ||
    fail "requests the listener answered: $(cat "$T/serve.err")"
grep -q ' key=two (sk-a.*) 200 ' "$T/serve.err" || fail "-v lines: $(cat "$T/serve.err")"
expect_mock_log_not_contains "$TOKEN"
stop_serve

KEYS=$(write_key_file "c1 $E1" "c2 $E2")
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL"
run_sdk exhausted ""
# The soonest key's wait: at most the 80.5 s the first key asked for.
ms=$(sed -n 's/^retry-after-ms //p' "$T/sdk.out")
expect_between "$ms" 1 80500 "the retry-after-ms the SDK read"
stop_serve

KEYS=$(write_key_file "w1 $W1")
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" -v
run_sdk retry "after the wait"
expect_key_requests "$W1" 2
grep -q ' key=- 429 ' "$T/serve.err" || fail "the SDK was not told to wait: $(cat "$T/serve.err")"
expect_mock_log_not_contains "$TOKEN"
stop_serve
