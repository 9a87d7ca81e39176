#!/usr/bin/env bash
# ask shows a spinner on a terminal stderr while it waits, erased before the
# answer; none with -q, none when stderr is not a terminal.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/tty.sh"

start_mock '{"keys":{"sk-ant-tty-spin-aaaaaaaaaaaaaaaa":{"text":"the answer arrived","delay_ms":8000}}}'
keys=$(write_key_file "spin sk-ant-tty-spin-aaaaaaaaaaaaaaaa")
export BRIDGE_KEY_FILE=$keys BRIDGE_STATE="$T/state/state.json" ANTHROPIC_BASE_URL=$MOCK_URL

# On a terminal: the spinner shows while the mock holds the answer back...
tty_run "$BRIDGE" ask --no-stdin question
tty_wait_screen "waiting for the answer" 7
tty_wait_rc
[[ $TTY_RC == 0 ]] || fail "ask exited $TTY_RC on a terminal"
# ...and is gone once the answer is printed.
screen=$(tty_screen)
grep -qF "the answer arrived" <<<"$screen" || { echo "$screen" >&2; fail "no answer on the terminal"; }
if grep -qF "waiting for the answer" <<<"$screen"; then
    echo "$screen" >&2
    fail "the spinner was not erased before the answer"
fi
_tmux kill-server

# -q: no spinner even on a terminal (check while the answer is held back).
tty_run "$BRIDGE" -q ask --no-stdin question
for _ in $(seq 400); do [[ $(mock_requests) == 2 ]] && break; sleep 0.05; done
sleep 0.5 # the request is at the mock: a spinner would be drawn by now
if tty_screen | grep -qF "waiting for the answer"; then fail "a spinner with -q"; fi
tty_wait_rc
[[ $TTY_RC == 0 ]] || fail "ask -q exited $TTY_RC"
_tmux kill-server

# stderr not a terminal (stdout is): no spinner bytes in the captured stderr.
tty_run bash -c "\"$BRIDGE\" ask --no-stdin question 2>\"$T/stderr\""
tty_wait_rc
[[ -s "$T/stderr" ]] && { cat -v "$T/stderr" >&2; fail "stderr that is not a terminal got spinner output"; }
echo "ok"
