#!/usr/bin/env bash
# stream shows a spinner on a terminal stderr while it waits for the first
# words, erased before the text; none with -q; none when stderr is not a
# terminal.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/tty.sh"

# The mock holds the answer 8 s: far longer than bridge needs to start and
# draw a frame, even on a loaded machine.
start_mock '{"keys":{"sk-ant-tty-sspin-aaaaaaaaaaaaaaa":{"deltas":["the words ","arrived"],"delay_ms":8000}}}'
keys=$(write_key_file "spin sk-ant-tty-sspin-aaaaaaaaaaaaaaa")
export BRIDGE_KEY_FILE=$keys BRIDGE_STATE="$T/state/state.json" ANTHROPIC_BASE_URL=$MOCK_URL

tty_run "$BRIDGE" stream --no-stdin question
tty_wait_screen "waiting for the first words" 7
tty_wait_rc 30
[[ $TTY_RC == 0 ]] || fail "stream exited $TTY_RC on a terminal"
screen=$(tty_screen)
grep -qx "the words arrived" <<<"$screen" || { echo "$screen" >&2; fail "the text is not on a clean line"; }
if grep -qF "waiting for the first words" <<<"$screen"; then
    echo "$screen" >&2
    fail "the spinner was not erased before the text"
fi
_tmux kill-server

# -q: no spinner, checked once the request is at the mock (the spinner, had
# it been started, would be drawn by then).
tty_run "$BRIDGE" -q stream --no-stdin question
for _ in $(seq 400); do [[ $(mock_requests) == 2 ]] && break; sleep 0.05; done
sleep 0.5
if tty_screen | grep -qF "waiting for"; then fail "a spinner with -q"; fi
tty_wait_rc 30
[[ $TTY_RC == 0 ]] || fail "stream -q exited $TTY_RC"
_tmux kill-server

# stderr not a terminal: no spinner bytes in it.
tty_run bash -c "\"$BRIDGE\" stream --no-stdin question 2>\"$T/stderr\""
tty_wait_rc 30
[[ -s "$T/stderr" ]] && { cat -v "$T/stderr" >&2; fail "stderr that is not a terminal got spinner output"; }
echo "ok"
