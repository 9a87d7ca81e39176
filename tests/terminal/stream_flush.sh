#!/usr/bin/env bash
# stream writes each text delta to a terminal as soon as it arrives: the first
# delta is on screen while the upstream still holds the rest back.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/tty.sh"

gate="$T/release"
start_mock "{\"keys\":{\"sk-ant-tty-strm-aaaaaaaaaaaaaaaa\":{\"deltas\":[\"first-delta \",\"second-delta\"],\"gate_file\":\"$gate\"}}}"
keys=$(write_key_file "strm sk-ant-tty-strm-aaaaaaaaaaaaaaaa")
export BRIDGE_KEY_FILE=$keys BRIDGE_STATE="$T/state/state.json" ANTHROPIC_BASE_URL=$MOCK_URL

tty_run "$BRIDGE" stream --no-stdin question
tty_wait_screen "first-delta" 10
if tty_screen | grep -qF "second-delta"; then fail "the second delta came before the gate opened"; fi
touch "$gate"
tty_wait_screen "second-delta" 10
tty_wait_rc
[[ $TTY_RC == 0 ]] || fail "stream exited $TTY_RC"
echo "ok"
