#!/usr/bin/env bash
# docs/contract.md ("The pool behind any tool"): under `bridge exec` the
# child keeps the terminal. It runs in the terminal's foreground process
# group and reads what is typed; Ctrl-C reaches it (a child that catches
# SIGINT decides its own exit status, which bridge passes on, and one that
# does not dies of it: 130, 128 + SIGINT); bridge writes nothing of its own.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/tty.sh"

start_mock '{"keys":{"sk-ant-tty-exec-aaaaaaaaaaaaaaaa":{"text":"x"}}}'
keys=$(write_key_file "one sk-ant-tty-exec-aaaaaaaaaaaaaaaa")
export BRIDGE_KEY_FILE=$keys BRIDGE_STATE="$T/state/state.json" ANTHROPIC_BASE_URL=$MOCK_URL

# 1. The foreground process group, and the terminal as standard input. In
#    /proc/PID/stat, field 5 is the process group and field 8 the terminal's
#    foreground group (the command name, field 2, is "sh": no spaces). The
#    children are script files: tty_run's command line takes no newline.
cat >"$T/foreground.sh" <<'CHILD'
read -r _ _ _ _ pgrp _ _ tpgid _ </proc/$$/stat
if [ "$pgrp" = "$tpgid" ]; then echo "child in the foreground"; else echo "child in the background: $pgrp $tpgid"; fi
printf "name? "
read -r name
echo "hello $name"
exit 5
CHILD
tty_run "$BRIDGE" exec -- sh "$T/foreground.sh"
tty_wait_screen "name?" 30
tty_screen | grep -q '^child in the foreground' || fail "the child is not in the foreground: $(tty_screen)"
tty_keys world Enter
tty_wait_screen "hello world" 30
tty_wait_rc 30
[[ $TTY_RC == 5 ]] || fail "exec exited $TTY_RC, not the child's 5"
! tty_screen | grep -q '^bridge' || fail "bridge wrote to the terminal: $(tty_screen)"
_tmux kill-server

# 2. Ctrl-C reaches a child that catches it; bridge waits and passes its status on.
cat >"$T/catches.sh" <<'CHILD'
trap 'echo child got SIGINT; exit 7' INT
echo ready
while :; do sleep 0.1; done
CHILD
tty_run "$BRIDGE" exec -- sh "$T/catches.sh"
tty_wait_screen "ready" 30
tty_keys C-c
tty_wait_rc 30
tty_screen | grep -q 'child got SIGINT' || fail "the child did not get Ctrl-C: $(tty_screen)"
[[ $TTY_RC == 7 ]] || fail "Ctrl-C to a catching child: exec exited $TTY_RC, not 7"
_tmux kill-server

# 3. A child that does not catch it dies of it: 128 + 2.
printf 'echo ready\nexec sleep 300\n' >"$T/dies.sh"
tty_run "$BRIDGE" exec -- sh "$T/dies.sh"
tty_wait_screen "ready" 30
tty_keys C-c
tty_wait_rc 30
[[ $TTY_RC == 130 ]] || fail "Ctrl-C to a child that dies of it: exec exited $TTY_RC, not 130"
echo "ok"
