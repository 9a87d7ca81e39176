#!/usr/bin/env bash
# A prompt word and a standard input that stays open and silent (a pipe whose
# writer never closes it, as in a CI job): with stderr on a terminal, bridge
# says what it waits for instead of hanging without a word; what the pipe
# brings later is still the prompt, before the words. With -q it says nothing.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/tty.sh"

start_mock '{"default":{"text":"got it"}}'
keys=$(write_key_file "only sk-ant-tty-wait-aaaaaaaaaaaaaaaa")
export BRIDGE_KEY_FILE=$keys BRIDGE_STATE="$T/state/state.json" ANTHROPIC_BASE_URL=$MOCK_URL

mkfifo "$T/in"
tty_run bash -c '"$1" ask question < "$2"' _ "$BRIDGE" "$T/in"
exec 8>"$T/in" # the writer: open, and silent
tty_wait_screen "reading the prompt from standard input" 20
tty_wait_screen "--no-stdin" 5
printf 'late material\n' >&8
exec 8>&-
tty_wait_rc 30
[[ $TTY_RC == 0 ]] || fail "ask exited $TTY_RC"
tty_wait_screen "got it" 5
expect_mock_log_contains '"content":"late material\n\nquestion"'
echo "ok"
