#!/usr/bin/env bash
# stream -v on a terminal: which key answered is said when its headers
# arrive, before the text; the text's line is ended before any later
# diagnostic, so "...eight" never runs into "bridge: key ...".
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/tty.sh"

gate="$T/release"
start_mock "{\"keys\":{\"sk-ant-tty-verb-aaaaaaaaaaaaaaaa\":{\"deltas\":[\"one two \",\"seven eight\"],\"gate_file\":\"$gate\"}}}"
keys=$(write_key_file "fast sk-ant-tty-verb-aaaaaaaaaaaaaaaa")
export BRIDGE_KEY_FILE=$keys BRIDGE_STATE="$T/state/state.json" ANTHROPIC_BASE_URL=$MOCK_URL

tty_run "$BRIDGE" stream -v --no-stdin question
tty_wait_screen "one two" 20
# While the rest is held back, the key that answers is already named.
screen=$(tty_screen)
grep -qF "bridge: key fast (sk-a...aaaa): 200, streaming the answer" <<<"$screen" ||
    { echo "$screen" >&2; fail "the answering key is not named before the text"; }
touch "$gate"
tty_wait_rc 30
[[ $TTY_RC == 0 ]] || fail "stream -v exited $TTY_RC"
screen=$(tty_screen)
# The text has a line of its own; every diagnostic starts a line.
grep -qx "one two seven eight" <<<"$screen" || { echo "$screen" >&2; fail "the text does not end its line"; }
if grep -qE '.bridge: ' <<<"$screen"; then
    echo "$screen" >&2
    fail "a diagnostic ran into the text"
fi
# Order: the key line, then the text, then the later diagnostics.
key_line=$(grep -nF "streaming the answer" <<<"$screen" | head -n 1 | cut -d: -f1)
text_line=$(grep -nx "one two seven eight" <<<"$screen" | cut -d: -f1)
served_line=$(grep -nF "answer served by key fast" <<<"$screen" | cut -d: -f1)
((key_line < text_line && text_line < served_line)) ||
    { echo "$screen" >&2; fail "order: key line $key_line, text $text_line, served $served_line"; }
echo "ok"
