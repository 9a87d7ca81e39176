#!/usr/bin/env bash
# docs/contract.md ("The pool behind any tool"), with a client nobody here
# wrote: Claude Code (npm @anthropic-ai/claude-code, its native binary run
# directly, non-interactive with -p) under `bridge exec`, against the mock,
# with a two-key pool whose first key is rate-limited. The answer arrives;
# the mock saw the first key once and the second for every request after;
# Claude Code itself was answered no 429 (bridge -v logs each answer it
# gave); no request upstream carried the token the child was given. Claude
# Code's other requests (token counts, model lists) take the same way; its
# telemetry and other non-essential traffic are turned off. Skipped (exit
# 77) when node or the package is missing: bench/run installs it.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/listener.sh
source "$(dirname "$0")/../lib/listener.sh"
need_node_packages @anthropic-ai/claude-code
claude=
for candidate in "$NODE_DIR/node_modules/@anthropic-ai/claude-code/bin/claude.exe" \
    "$NODE_DIR/node_modules/.bin/claude"; do
    if [[ -x "$candidate" ]] && timeout 60 "$candidate" --version >/dev/null 2>&1; then
        claude=$candidate
        break
    fi
done
if [[ -z "$claude" ]]; then
    echo "skipped: the @anthropic-ai/claude-code package in $NODE_DIR has no binary that runs here"
    exit 77
fi

K1=sk-ant-claude-one-Qw3rTy00001
K2=sk-ant-claude-two-Qw3rTy00002
start_mock '{"keys": {
  "'$K1'": {"status": 429, "headers": {"retry-after": "90"}},
  "'$K2'": {"text": "served by the second key"}}}'
setup_pool "one $K1" "two $K2"

# Claude Code's own files stay in $T; one model for all its requests, so
# that the first key's 429 (a mark for that model) covers them all.
export CLAUDE_CONFIG_DIR="$T/claude" DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1 \
    DISABLE_AUTOUPDATER=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 \
    ANTHROPIC_MODEL=claude-sonnet-4-5 ANTHROPIC_SMALL_FAST_MODEL=claude-sonnet-4-5 \
    ANTHROPIC_DEFAULT_HAIKU_MODEL=claude-sonnet-4-5 ANTHROPIC_DEFAULT_SONNET_MODEL=claude-sonnet-4-5 \
    ANTHROPIC_DEFAULT_OPUS_MODEL=claude-sonnet-4-5
# Claude Code starts slowly on a loaded machine: the hang guard bounds it.
export BRIDGE_TEST_TIMEOUT=$HANG_GUARD_S
# The child writes down the token it was given, then becomes Claude Code.
# shellcheck disable=SC2016 # expanded by the child's shell
run_bridge exec --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" -v -- \
    sh -c 'printf "%s\n" "$ANTHROPIC_API_KEY" >"$T/child-token"; exec "$0" "$@"' \
    "$claude" -p "Say hello." </dev/null
cat "$T/err"
expect_rc 0
expect_out_contains "served by the second key"
token=$(cat "$T/child-token")
[[ "$token" =~ ^[0-9a-f]{64}$ ]] || fail "the child's ANTHROPIC_API_KEY is not a token"

expect_key_requests "$K1" 1
n2=$(mock_key_requests "$K2")
((n2 >= 1)) || fail "the second key served nothing"
echo "the mock saw the second key $n2 time(s); every request: $(mock_stats)"
# Every request of Claude Code went upstream with a key of the pool.
[[ "$(mock_requests)" == $((n2 + 1)) ]] || fail "requests upstream without a pool key: $(mock_stats)"
expect_mock_log_not_contains "$token"
# What Claude Code was answered: no 429, and the messages served by key two.
grep '^bridge: ' "$T/err" >"$T/answers" || fail "no -v lines: $(cat "$T/err")"
! grep -q ' 429 ' "$T/answers" || fail "Claude Code saw a 429: $(cat "$T/answers")"
grep -q '^bridge: POST /anthropic/v1/messages.* key=two (sk-a.*) 200 ' "$T/answers" ||
    fail "no message served by key two: $(cat "$T/answers")"
