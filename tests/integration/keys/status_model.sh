#!/usr/bin/env bash
# keys status without -m answers for the model `ask` would use (BRIDGE_MODEL,
# else the provider's default), so that "ask before you send" holds: after a
# 429 for that model on every key, `ask` exits 75 and so does `keys status`.
# Other models' cooldowns are listed beneath their key and change nothing.
# The README's first example is run as it is written, and its `keys status`
# block must be exactly what bridge prints.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

PRIMARY=sk-ant-test-readme-example-Q3xA
BACKUP=sk-ant-test-readme-example-9fKe
SONNET_429='{"claude-sonnet-4-5": {"status": 429, "headers": {"retry-after": "41"}}}'

# --- the README's first example ------------------------------------------------
start_mock '{"models": {"'$PRIMARY'": '"$SONNET_429"'}, "default": {"text": "fine"}}'
setup_pool "primary $PRIMARY" "backup $BACKUP"
run_pool_stdin $'diff --git a/x b/x\n' ask 'Review this change'
expect_rc 0
expect_out_eq "fine"
run_pool stream -m claude-opus-4-1 'Write a haiku about failover'
expect_rc 0
expect_key_requests "$PRIMARY" 2 # the opus stream was served by primary
run_pool keys status
expect_rc 0
# The block after "$ bridge keys status" in the README, up to the fence.
readme_block=$(sed -n '/^\$ bridge keys status$/,/^```$/p' "$BRIDGE_SOURCE_DIR/README.md" |
    sed '1d;$d')
[[ -n $readme_block ]] || fail "no 'keys status' example found in README.md"
# The cooldown counts down from 41 s: whatever second this run reached
# (41 unless the machine took a second or more) reads as the README's 41s.
seconds=$(grep -oE 'retry in [0-9]+s' "$T/out" | grep -oE '[0-9]+') ||
    fail "no 'retry in Ns' in keys status"
expect_between "$seconds" 1 41 "the cooldown left"
shown=$(sed -E 's/retry in [0-9]+s/retry in 41s/' "$T/out")
[[ $shown == "$readme_block" ]] ||
    fail "README.md's keys status example is not what bridge prints:
--- README.md
$readme_block
--- bridge
$shown"

# --- every key cooling for the default model: 75, as ask --------------------------
start_mock '{"models": {"'$PRIMARY'": '"$SONNET_429"', "'$BACKUP'": '"$SONNET_429"'},
             "default": {"text": "fine"}}' all
POOL_URL=$(mock_url all)
STATE="$T/state-all/state.json"
run_pool ask --no-stdin hi
expect_rc 75
run_pool keys status
expect_rc 75
grep -qE '^primary +sk-a\.\.\.Q3xA +cooling +claude-sonnet-4-5: retry in [0-9]+s \(429 rate_limit_error\)$' \
    "$T/out" || fail "primary's row names the default model"
run_pool keys status --json
expect_rc 75
expect_out_contains '"model": "claude-sonnet-4-5"'
# Another model is free: -m and BRIDGE_MODEL answer for it.
run_pool keys status -m claude-opus-4-1
expect_rc 0
BRIDGE_MODEL=claude-opus-4-1 run_pool keys status
expect_rc 0
# ... and then the default model's cooldowns are listed beneath each key.
grep -qE '^primary +sk-a\.\.\.Q3xA +ready$' "$T/out" || fail "primary is ready for opus"
[[ $(grep -cE '^ +cooling +claude-sonnet-4-5: retry in [0-9]+s \(429 rate_limit_error\)$' "$T/out") -eq 2 ]] ||
    fail "the sonnet cooldowns are listed beneath both keys"
BRIDGE_MODEL=claude-opus-4-1 run_pool ask --no-stdin hi
expect_rc 0

# --- the provider's default: gpt-4o-mini for openai ---------------------------------
OAI_A=sk-test-status-openai-a-0000001
OAI_B=sk-test-status-openai-b-0000002
MINI_429='{"gpt-4o-mini": {"status": 429, "headers": {"retry-after": "41"}}}'
start_mock '{"models": {"'$OAI_A'": '"$MINI_429"', "'$OAI_B'": '"$MINI_429"'},
             "default": {"text": "fine"}}' openai
setup_pool "a $OAI_A" "b $OAI_B"
STATE="$T/state-openai/state.json"
POOL_URL="$(mock_url openai)/v1"
run_pool ask --provider openai --no-stdin hi
expect_rc 75
run_pool keys status --provider openai
expect_rc 75
expect_out_contains "gpt-4o-mini: retry in"
run_pool keys status --provider openai -m gpt-4o
expect_rc 0
echo ok
