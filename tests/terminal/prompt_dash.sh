#!/usr/bin/env bash
# `bridge ask -` on a terminal says what it waits for (the prompt, ended by
# Ctrl-D), then sends what was typed.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/tty.sh"

start_mock '{"default":{"text":"got it"}}'
keys=$(write_key_file "only sk-ant-tty-dash-aaaaaaaaaaaaaaaa")
export BRIDGE_KEY_FILE=$keys BRIDGE_STATE="$T/state/state.json" ANTHROPIC_BASE_URL=$MOCK_URL

tty_run "$BRIDGE" ask -
tty_wait_screen "end it with Ctrl-D" 20
tty_keys "typed question" Enter C-d
tty_wait_rc 30
[[ $TTY_RC == 0 ]] || fail "ask - exited $TTY_RC"
tty_wait_screen "got it" 5
# Its trailing newline goes, as for a piped prompt.
expect_mock_log_contains '"content":"typed question"}'
echo "ok"
