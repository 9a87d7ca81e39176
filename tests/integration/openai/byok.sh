#!/usr/bin/env bash
# BYOK with --provider openai (docs/providers.md): OPENAI_API_KEY with no key file
# is one key, no failover, no marks, the state file neither read nor written;
# a 429 exits 75 and a 401 exits 77, naming OPENAI_API_KEY. The default key
# file of this provider is $XDG_CONFIG_HOME/bridge/openai.keys, and it wins
# over OPENAI_API_KEY; ANTHROPIC_API_KEY and the Anthropic key file are not
# this provider's.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_OK=sk-proj-test-byok-ok-Cd00000001
K_429=sk-proj-test-byok-429-Cd0000002
K_401=sk-proj-test-byok-401-Cd0000003
K_FILE=sk-proj-test-byok-file-Cd000004
start_mock '{"keys": {
  "'$K_OK'": {"deltas": ["bring ", "your own ", "key"]},
  "'$K_429'": {"status": 429, "headers": {"x-ratelimit-reset-requests": "20s"}},
  "'$K_401'": {"status": 401},
  "'$K_FILE'": {"text": "from openai.keys"}}}'

export BRIDGE_STATE="$T/byok-state/state.json"
mkdir -p "$T/byok-state"
chmod 700 "$T/byok-state"
printf 'this is not JSON, and BYOK must not touch it\n' >"$BRIDGE_STATE"
cp "$BRIDGE_STATE" "$T/state.orig"
export OPENAI_BASE_URL="$MOCK_URL/v1" BRIDGE_PROVIDER=openai

# An Anthropic key file at the Anthropic default path is not this provider's.
mkdir -p "$XDG_CONFIG_HOME/bridge"
printf 'anthropic sk-ant-test-not-for-openai-0001\n' >"$XDG_CONFIG_HOME/bridge/keys"
chmod 600 "$XDG_CONFIG_HOME/bridge/keys"

for cmd in ask stream; do
    OPENAI_API_KEY=$K_OK run_bridge "$cmd" "hi"
    expect_rc 0
    expect_out_eq "bring your own key"
    expect_err_empty
done
expect_mock_log_contains '"authorization":"Bearer '$K_OK'"'
expect_key_requests sk-ant-test-not-for-openai-0001 0

OPENAI_API_KEY=$K_429 run_bridge ask --json "hi"
expect_rc 75
expect_err_contains '"rate_limit_error"'
expect_err_contains "OPENAI_API_KEY"
expect_err_contains '"retry_after":20'
expect_err_not_contains "$K_429"
OPENAI_API_KEY=$K_429 run_bridge stream "hi"
expect_rc 75
expect_key_requests "$K_429" 2   # no mark: the second run sent again

OPENAI_API_KEY=$K_401 run_bridge stream "hi"
expect_rc 77
expect_err_contains "OPENAI_API_KEY"
expect_err_not_contains "$K_401"

# ANTHROPIC_API_KEY alone is not a key for this provider.
ANTHROPIC_API_KEY=$K_OK run_bridge ask "hi"
expect_rc 78
expect_err_contains "openai.keys"
expect_err_contains "OPENAI_API_KEY"

cmp -s "$BRIDGE_STATE" "$T/state.orig" || fail "BYOK touched the state file"
[[ ! -e "$BRIDGE_STATE.corrupt" ]] || fail "BYOK read the state file"

# The default key file of the provider wins over OPENAI_API_KEY.
printf 'file %s\n' "$K_FILE" >"$XDG_CONFIG_HOME/bridge/openai.keys"
chmod 600 "$XDG_CONFIG_HOME/bridge/openai.keys"
unset BRIDGE_STATE
OPENAI_API_KEY=$K_OK run_bridge ask "hi"
expect_rc 0
expect_out_eq "from openai.keys"
expect_key_requests "$K_FILE" 1
