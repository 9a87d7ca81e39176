#!/usr/bin/env bash
# docs/contract.md (commands) options table and §2 "Where keys come from": --key-file beats
# BRIDGE_KEY_FILE beats the default key file, which beats ANTHROPIC_API_KEY;
# nothing configured is exit 78 explaining both ways; --state beats
# BRIDGE_STATE beats the default state path; --base-url beats ANTHROPIC_BASE_URL.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"keys": {
  "sk-ant-test-src-flag-Uy000001": {"text": "via --key-file"},
  "sk-ant-test-src-env-Uy0000002": {"text": "via BRIDGE_KEY_FILE"},
  "sk-ant-test-src-default-Uy003": {"text": "via the default key file"},
  "sk-ant-test-src-byok-Uy000004": {"text": "via ANTHROPIC_API_KEY"},
  "sk-ant-test-src-cool-Uy000005": {"status": 429}}}'
export ANTHROPIC_BASE_URL=$MOCK_URL

printf 'flag sk-ant-test-src-flag-Uy000001\n' >"$T/flag-keys"
printf 'env sk-ant-test-src-env-Uy0000002\n' >"$T/env-keys"
mkdir -p "$XDG_CONFIG_HOME/bridge"
printf 'default sk-ant-test-src-default-Uy003\n' >"$XDG_CONFIG_HOME/bridge/keys"
chmod 600 "$T/flag-keys" "$T/env-keys" "$XDG_CONFIG_HOME/bridge/keys"

# Everything configured: the flag wins.
BRIDGE_KEY_FILE="$T/env-keys" ANTHROPIC_API_KEY=sk-ant-test-src-byok-Uy000004 \
    run_bridge ask --key-file "$T/flag-keys" "hi"
expect_rc 0
expect_out_eq "via --key-file"
# Without the flag: the variable.
BRIDGE_KEY_FILE="$T/env-keys" ANTHROPIC_API_KEY=sk-ant-test-src-byok-Uy000004 run_bridge ask "hi"
expect_rc 0
expect_out_eq "via BRIDGE_KEY_FILE"
# Without either: the default key file, even with ANTHROPIC_API_KEY set.
ANTHROPIC_API_KEY=sk-ant-test-src-byok-Uy000004 run_bridge stream "hi"
expect_rc 0
expect_out_eq "via the default key file"
# No key file at all: ANTHROPIC_API_KEY.
mv "$XDG_CONFIG_HOME/bridge/keys" "$T/default-keys.aside"
ANTHROPIC_API_KEY=sk-ant-test-src-byok-Uy000004 run_bridge ask "hi"
expect_rc 0
expect_out_eq "via ANTHROPIC_API_KEY"
expect_key_requests sk-ant-test-src-byok-Uy000004 1
# Nothing: exit 78, explaining both ways, at once and with no request.
before=$(mock_requests)
run_bridge ask "hi"
expect_rc 78
expect_out_empty
expect_err_contains "ANTHROPIC_API_KEY"
expect_err_contains "$XDG_CONFIG_HOME/bridge/keys"
expect_requests "$before"
run_bridge keys status
expect_rc 78
# A --key-file that does not exist: 78 naming it (not the other sources).
ANTHROPIC_API_KEY=sk-ant-test-src-byok-Uy000004 run_bridge ask --key-file "$T/missing-keys" "hi"
expect_rc 78
expect_err_contains "$T/missing-keys"
expect_key_requests sk-ant-test-src-byok-Uy000004 1

# --- state path: --state beats BRIDGE_STATE beats the default -------------------
printf 'cool sk-ant-test-src-cool-Uy000005\n' >"$T/cool-keys"
chmod 600 "$T/cool-keys"
run_bridge ask --key-file "$T/cool-keys" "hi"
expect_rc 75
default_state="$XDG_STATE_HOME/bridge/state.json"
[[ -f "$default_state" ]] || fail "no state file at the default path $default_state"
[[ "$(stat -c %a "$default_state")" == 600 ]] || fail "state file mode $(stat -c %a "$default_state"), want 600"
[[ "$(stat -c %a "$XDG_STATE_HOME/bridge")" == 700 ]] || fail "state directory mode $(stat -c %a "$XDG_STATE_HOME/bridge"), want 700"
rm -rf "$XDG_STATE_HOME/bridge"
BRIDGE_STATE="$T/env-state/state.json" run_bridge ask --key-file "$T/cool-keys" "hi"
expect_rc 75
[[ -f "$T/env-state/state.json" ]] || fail "BRIDGE_STATE was not used"
[[ ! -e "$default_state" ]] || fail "BRIDGE_STATE set, and the default state file was written"
BRIDGE_STATE="$T/env-state/state.json" run_bridge ask --key-file "$T/cool-keys" --state "$T/flag-state/state.json" "hi"
expect_rc 75
[[ -f "$T/flag-state/state.json" ]] || fail "--state was not used"
expect_key_requests sk-ant-test-src-cool-Uy000005 3
# ... and `keys status` reads the same path (asked for the model the 429 cooled).
BRIDGE_STATE="$T/env-state/state.json" run_bridge keys status -m claude-sonnet-4-5 --key-file "$T/cool-keys"
expect_rc 75

# --- a base URL with a trailing slash or a path prefix ----------------------------------------
run_bridge ask --key-file "$T/flag-keys" --base-url "$MOCK_URL/" "hi"
expect_rc 0
expect_out_eq "via --key-file"
tail -n 1 "$(mock_log)" | grep -qF '"path":"/v1/messages"' || fail "a trailing slash changed the path: $(tail -n 1 "$(mock_log)")"
run_bridge ask --key-file "$T/flag-keys" --base-url "$MOCK_URL/prefix" "hi"
# (the mock answers {"ok":true} on any other path: not a Messages answer)
tail -n 1 "$(mock_log)" | grep -qF '"path":"/prefix/v1/messages"' || fail "a base URL path prefix was not kept: $(tail -n 1 "$(mock_log)")"

# --- base URL: the flag beats ANTHROPIC_BASE_URL ----------------------------------
start_mock '{"default": {}}' gone
dead=$(mock_url gone)
stop_mock gone
ANTHROPIC_BASE_URL=$dead run_bridge ask --key-file "$T/flag-keys" --base-url "$MOCK_URL" "hi"
expect_rc 0
expect_out_eq "via --key-file"
ANTHROPIC_BASE_URL=$dead run_bridge ask --key-file "$T/flag-keys" "hi"
expect_rc 69
# Options are accepted before the subcommand too.
run_bridge --key-file "$T/flag-keys" --base-url "$MOCK_URL" ask "hi"
expect_rc 0
expect_out_eq "via --key-file"
echo "ok"
