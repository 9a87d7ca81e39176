#!/usr/bin/env bash
# Key-file lines people write by mistake, through the real binary: a key
# split by a space (its first half would become a label, shown and stored),
# a label that looks like a secret, a pasted NAME=value, a key in quotes, a
# line of JSON: exit 78 naming the line and why, never echoing it; while
# ordinary names (TeamAlphaProdKey2024) are labels. Trailing comments after white space are
# allowed (the README's example works). A missing --key-file with
# ANTHROPIC_API_KEY set gives advice that works.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"default": {"text": "fine"}}'

refused() {
    local why=$1
    shift
    setup_pool "$@"
    run_pool ask hi
    expect_rc 78
    expect_out_empty
    expect_err_contains "$KEYS:2:"
    expect_err_contains "$why"
    expect_err_not_contains "AAAA"
    expect_err_not_contains "BBBB"
    expect_err_not_contains "Q7fJ"
    run_pool keys status
    expect_rc 78
    [[ ! -e "$STATE" ]] || ! grep -q 'AAAA\|BBBB' "$STATE" || fail "half a key reached the state file"
}
refused "starts with 'sk-'" "ok sk-ant-test-lines-ok-Ll0000001" "sk-ant-api03-AAAA BBBB"
refused "looks like a secret" "ok sk-ant-test-lines-ok-Ll0000001" "Q7fJ2kLm9Xp4Rt8Wv3NsAAAA sk-ant-test-lines-Ll2"
refused "shell assignment" "ok sk-ant-test-lines-ok-Ll0000001" "ANTHROPIC_API_KEY=sk-ant-api03-AAAA"
refused "shell assignment" "ok sk-ant-test-lines-ok-Ll0000001" "export ANTHROPIC_API_KEY=sk-ant-api03-BBBB"
# A key in quotes would be sent with them (and refused, and disabled); a
# line of JSON would be read as a label and a key.
refused "the key is in quotes; write it without them" "ok sk-ant-test-lines-ok-Ll0000001" \
    'primary "sk-ant-api03-AAAA-quoted"'
refused "the key is in quotes" "ok sk-ant-test-lines-ok-Ll0000001" "primary 'sk-ant-api03-BBBB-quoted'"
refused "this line is JSON" "ok sk-ant-test-lines-ok-Ll0000001" \
    '{"label": "primary", "key": "sk-ant-api03-AAAA-json"}'
refused "this line is JSON" "ok sk-ant-test-lines-ok-Ll0000001" \
    '{"label":"primary","key":"sk-ant-api03-BBBB-json"}'
# Another service's token where the label goes reads as random.
refused "looks like a secret" "ok sk-ant-test-lines-ok-Ll0000001" \
    "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R sk-ant-test-lines-Ll2"
expect_requests 0

# Names people give their keys are labels: each one serves.
for label in TeamAlphaProdKey2024 AnthropicPrimaryAccount2 DevTeamKey20240115 \
    claude-opus-4-1-team-b-eu OAuthClientForGitHubCI; do
    setup_pool "$label sk-ant-test-lines-named-Ll0005"
    run_pool ask hi
    expect_rc 0
    expect_out_eq "fine"
done

# The README's example, trailing comment included.
setup_pool "# ~/.config/bridge/keys   (chmod 600)" \
    "primary   sk-ant-test-lines-primary-Ll01" \
    "backup    sk-ant-test-lines-backup-Ll002" \
    "sk-ant-test-lines-third-Ll0003          # unlabelled: named key-3"
run_pool keys status --json
expect_rc 0
expect_out_contains '"label": "key-3"'
expect_out_contains '"hint": "sk-a...0003"'

# --key-file /missing with ANTHROPIC_API_KEY set: the named file wins, so
# "set ANTHROPIC_API_KEY" would change nothing; the advice is to drop it.
ANTHROPIC_API_KEY=sk-ant-test-lines-byok-Ll000004 run_bridge ask --key-file "$T/missing" \
    --base-url "$MOCK_URL" hi
expect_rc 78
expect_err_contains "$T/missing"
expect_err_contains "drop --key-file"
expect_err_not_contains "or set ANTHROPIC_API_KEY"
# The advice works: without --key-file, the single key is used.
ANTHROPIC_API_KEY=sk-ant-test-lines-byok-Ll000004 run_bridge ask --base-url "$MOCK_URL" hi
expect_rc 0
BRIDGE_KEY_FILE=$T/missing ANTHROPIC_API_KEY=sk-ant-test-lines-byok-Ll000004 run_bridge ask \
    --base-url "$MOCK_URL" hi
expect_rc 78
expect_err_contains "drop BRIDGE_KEY_FILE"
echo "ok"
