#!/usr/bin/env bash
# docs/contract.md ("The pool behind any tool"): `bridge exec -- COMMAND`
# runs COMMAND with the listener's base URLs and a fresh token as its API
# keys, and no key of the pool nor the parent's provider credentials in its
# environment; its requests go through the pool; bridge prints nothing
# without -v, forwards SIGTERM, and exits with COMMAND's status (127 not
# found, 126 cannot run, 128+N killed by signal N).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K1=sk-ant-exec-one-Qw3rTy000001
K2=sk-ant-exec-two-Qw3rTy000002
start_mock '{"keys": {
  "'$K1'": {"status": 429, "headers": {"retry-after": "90"}},
  "'$K2'": {"text": "served by the second key"}}}'
setup_pool "one $K1" "two $K2"
POOL=(--key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL")

# The child's environment: the listener's variables, the token (64 hex
# digits) as both API keys, and nothing of the parent's credentials.
export ANTHROPIC_AUTH_TOKEN=parent-bearer-token-000 HOLDS_A_KEY="x $K2 y" KEEP_ME=kept
run_bridge exec "${POOL[@]}" -- env
unset ANTHROPIC_AUTH_TOKEN HOLDS_A_KEY KEEP_ME
expect_rc 0
expect_err_empty
expect_out_contains "ANTHROPIC_BASE_URL=http://127.0.0.1:"
expect_out_contains "OPENAI_BASE_URL=http://127.0.0.1:"
expect_out_contains "KEEP_ME=kept"
expect_out_not_contains "$K1"
expect_out_not_contains "$K2"
expect_out_not_contains "ANTHROPIC_AUTH_TOKEN"
expect_out_not_contains "parent-bearer-token"
expect_out_not_contains "HOLDS_A_KEY"
token=$(sed -n 's/^ANTHROPIC_API_KEY=//p' "$T/out")
[[ "$token" =~ ^[0-9a-f]{64}$ ]] || fail "ANTHROPIC_API_KEY is not a token: $token"
grep -qx "OPENAI_API_KEY=$token" "$T/out" || fail "OPENAI_API_KEY is not the token"
grep -q '/anthropic$' <(grep '^ANTHROPIC_BASE_URL=' "$T/out") || fail "ANTHROPIC_BASE_URL: $(grep BASE_URL "$T/out")"
grep -q '/openai/v1$' <(grep '^OPENAI_BASE_URL=' "$T/out") || fail "OPENAI_BASE_URL: $(grep BASE_URL "$T/out")"

# A request of the child goes through the pool: the 429 fails over.
# shellcheck disable=SC2016 # expanded by the child's shell
run_bridge exec "${POOL[@]}" -- sh -c 'curl --noproxy "*" -sS "$ANTHROPIC_BASE_URL/v1/messages" \
    -H "x-api-key: $ANTHROPIC_API_KEY" -d "{\"model\":\"claude-sonnet-4-5\"}"'
expect_rc 0
expect_out_contains "served by the second key"
expect_key_requests "$K1" 1
expect_key_requests "$K2" 1
expect_mock_log_not_contains "$token"

# Exit statuses.
run_bridge exec "${POOL[@]}" -- true
expect_rc 0
run_bridge exec "${POOL[@]}" -- sh -c 'exit 3'
expect_rc 3
run_bridge exec "${POOL[@]}" -- no-such-command-for-bridge
expect_rc 127
expect_err_contains "no-such-command-for-bridge"
chmod 644 "$KEYS" && cp "$KEYS" "$T/not-executable" && chmod 600 "$KEYS"
run_bridge exec "${POOL[@]}" -- "$T/not-executable"
expect_rc 126
run_bridge exec "${POOL[@]}" -- sh -c 'kill -TERM $$'
expect_rc 143

# SIGTERM sent to bridge reaches the child, which decides its own status.
start_bridge exec "${POOL[@]}" -- sh -c 'trap "exit 42" TERM; echo ready; while :; do sleep 0.05; done'
wait_for_output ready
kill -TERM "$BRIDGE_PID"
wait_bridge
expect_rc 42
