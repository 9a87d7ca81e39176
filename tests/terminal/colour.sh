#!/usr/bin/env bash
# keys status colours its STATE column on a terminal only, and never with NO_COLOR.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/tty.sh"

start_mock '{"keys":{"sk-ant-tty-cool-aaaaaaaaaaaaaaaa":{"status":429,"headers":{"retry-after":"300"}}},"default":{"text":"fine"}}'
keys=$(write_key_file "cool sk-ant-tty-cool-aaaaaaaaaaaaaaaa" "fine sk-ant-tty-fine-bbbbbbbbbbbbbbbb")
export BRIDGE_KEY_FILE=$keys BRIDGE_STATE="$T/state/state.json" ANTHROPIC_BASE_URL=$MOCK_URL
run_bridge ask --no-stdin hello
expect_rc 0

# On a terminal: the cooling row is yellow (SGR 33), the ready row green (32).
tty_run "$BRIDGE" keys status
tty_wait_rc
[[ $TTY_RC == 0 ]] || fail "keys status exited $TTY_RC on a terminal"
screen=$(tty_screen_ansi)
grep -q $'\e\\[33m''cooling' <<<"$screen" || { echo "$screen" | cat -v >&2; fail "no yellow 'cooling' on a terminal"; }
grep -q $'\e\\[32m''ready' <<<"$screen" || { echo "$screen" | cat -v >&2; fail "no green 'ready' on a terminal"; }
_tmux kill-server

# The raw bytes (script(1) gives bridge a terminal and keeps every byte):
# each colour is reset on its own line, before the newline, so that nothing
# after the table (the prompt, the next command's output) is coloured.
script -qec "\"$BRIDGE\" keys status" /dev/null >"$T/raw" 2>&1 </dev/null || true
grep -q $'\e\\[3[0-9]m' "$T/raw" || { cat -v "$T/raw" >&2; fail "script(1): no colour in the raw output"; }
while IFS= read -r line; do
    line=${line%$'\r'}
    [[ $line == $'\e['0m* ]] && { cat -v "$T/raw" >&2; fail "a colour reset after a newline"; }
    if [[ $line == *$'\e['3[0-9]m* ]]; then
        [[ $line == *$'\e['3[0-9]m*$'\e['0m* ]] || { cat -v "$T/raw" >&2; fail "a coloured line not reset before its newline"; }
    fi
done <"$T/raw"

# NO_COLOR set: no escape at all, even on a terminal.
tty_run env NO_COLOR=1 "$BRIDGE" keys status
tty_wait_rc
screen=$(tty_screen_ansi)
grep -q 'cooling' <<<"$screen" || fail "keys status printed no table under NO_COLOR"
if grep -q $'\e\\[3[0-9]m' <<<"$screen"; then
    echo "$screen" | cat -v >&2
    fail "colour escapes despite NO_COLOR"
fi

# Not a terminal (a pipe): no escapes.
run_bridge keys status
expect_rc 0
expect_out_contains cooling
if grep -q $'\e' "$T/out"; then fail "escape sequences in piped output"; fi
echo "ok"
