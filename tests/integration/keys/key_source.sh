#!/usr/bin/env bash
# docs/providers.md, "Where keys come from": a key file belongs to one
# provider, so a key that plainly belongs to another (sk-ant- sent as an
# OpenAI Bearer token, sk-proj- as an Anthropic x-api-key) is refused with
# exit 78 before any request, from a key file or from the key variable. The
# provider's key variable (ANTHROPIC_API_KEY, OPENAI_API_KEY) loses to a key
# file, but never without a word: a notice on stderr names it and the file
# that won (unless -q, or unless the variable holds a key of that file, which
# only -v tells); -v says where the keys came from.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

ANT1=sk-ant-api03-source-ant-one-0001
ANT2=sk-ant-api03-source-ant-two-0002
OAI1=sk-proj-source-openai-one-0003
OTHER=sk-ant-api03-source-the-var-0004
start_mock '{"default": {"text": "answered"}}'
# Everything the test sends is counted: no request may reach the mock when
# a key is refused.
printf 'a %s\nb %s\n' "$ANT1" "$ANT2" >"$T/anthropic.keys"
printf 'o %s\n' "$OAI1" >"$T/openai.keys"
chmod 600 "$T/anthropic.keys" "$T/openai.keys"

# The reported case: BRIDGE_KEY_FILE (Anthropic keys) exported, then a run
# meant for an OpenAI-compatible local server. Nothing is sent anywhere.
BRIDGE_KEY_FILE="$T/anthropic.keys" BRIDGE_PROVIDER=openai OPENAI_BASE_URL="$MOCK_URL/v1" \
    OPENAI_API_KEY=ollama run_bridge ask --no-stdin "hello"
expect_rc 78
expect_out_empty
expect_err_contains "$T/anthropic.keys: key 'a' (line 1, sk-a...0001) is an Anthropic key (sk-ant-...), and the provider in use is openai"
expect_err_contains "to use the single key in OPENAI_API_KEY, name no key file (drop BRIDGE_KEY_FILE)"
expect_err_not_contains "$ANT1"
expect_requests 0
# The same through keys check (a probe is a request too) and stream.
BRIDGE_KEY_FILE="$T/anthropic.keys" run_bridge keys check --provider openai --base-url "$MOCK_URL/v1"
expect_rc 78
BRIDGE_KEY_FILE="$T/anthropic.keys" run_bridge stream --provider openai --base-url "$MOCK_URL/v1" --no-stdin hi
expect_rc 78
expect_requests 0
# Without the key file, OPENAI_API_KEY is the key, as it was meant.
BRIDGE_PROVIDER=openai OPENAI_BASE_URL="$MOCK_URL/v1" OPENAI_API_KEY=ollama run_bridge ask --no-stdin "hello"
expect_rc 0
expect_out_eq "answered"
expect_key_requests ollama 1

# An OpenAI key in an Anthropic pool; an Anthropic key in OPENAI_API_KEY.
run_bridge ask --key-file "$T/openai.keys" --base-url "$MOCK_URL" --no-stdin hi
expect_rc 78
expect_err_contains "key 'o' (line 1, sk-p...0003) is an OpenAI key (sk-proj-...), and the provider in use is anthropic"
OPENAI_API_KEY=$ANT1 run_bridge ask --provider openai --base-url "$MOCK_URL/v1" --no-stdin hi
expect_rc 78
expect_err_contains "OPENAI_API_KEY is an Anthropic key (sk-ant-...), and the provider in use is openai"
expect_requests 1

# The default key file wins over ANTHROPIC_API_KEY, and says so.
mkdir -p "$XDG_CONFIG_HOME/bridge"
cp "$T/anthropic.keys" "$XDG_CONFIG_HOME/bridge/keys"
export ANTHROPIC_BASE_URL=$MOCK_URL
ANTHROPIC_API_KEY=$OTHER run_bridge ask --no-stdin hi
expect_rc 0
expect_err_contains "ANTHROPIC_API_KEY is set but not used: the keys come from $XDG_CONFIG_HOME/bridge/keys (the default key file), which wins over it; to use ANTHROPIC_API_KEY instead, move $XDG_CONFIG_HOME/bridge/keys aside"
[[ $(grep -c 'is set but not used' "$T/err") == 1 ]] || fail "said more than once: $(cat "$T/err")"
expect_key_requests "$OTHER" 0
ANTHROPIC_API_KEY=$OTHER run_bridge ask -q --no-stdin hi
expect_rc 0
expect_err_empty
# -v names the source, always.
ANTHROPIC_API_KEY=$OTHER run_bridge ask -v --no-stdin hi
expect_rc 0
expect_err_contains "keys: 2 from $XDG_CONFIG_HOME/bridge/keys (the default key file)"
# A variable that holds a key of the file is no conflict: -v only.
ANTHROPIC_API_KEY=$ANT2 run_bridge ask --no-stdin hi
expect_rc 0
expect_err_empty
ANTHROPIC_API_KEY=$ANT2 run_bridge ask -v --no-stdin hi
expect_err_contains "ANTHROPIC_API_KEY holds a key of $XDG_CONFIG_HOME/bridge/keys"
# BRIDGE_KEY_FILE wins over it too, and keys status says so as well.
BRIDGE_KEY_FILE="$T/anthropic.keys" ANTHROPIC_API_KEY=$OTHER run_bridge keys status
expect_rc 0
expect_err_contains "ANTHROPIC_API_KEY is set but not used: the keys come from $T/anthropic.keys (BRIDGE_KEY_FILE)"
expect_err_contains "name no key file (drop BRIDGE_KEY_FILE) and move $XDG_CONFIG_HOME/bridge/keys aside"
# BYOK: -v names the variable.
rm "$XDG_CONFIG_HOME/bridge/keys"
ANTHROPIC_API_KEY=$OTHER run_bridge ask -v --no-stdin hi
expect_rc 0
expect_err_contains "key: the one in ANTHROPIC_API_KEY (a single key: no failover, no state)"
expect_key_requests "$OTHER" 1

# openai.keys wins over OPENAI_API_KEY, with the same notice.
cp "$T/openai.keys" "$XDG_CONFIG_HOME/bridge/openai.keys"
OPENAI_API_KEY=ollama run_bridge ask --provider openai --base-url "$MOCK_URL/v1" --no-stdin hi
expect_rc 0
expect_err_contains "OPENAI_API_KEY is set but not used: the keys come from $XDG_CONFIG_HOME/bridge/openai.keys (the default key file)"
echo ok
