# shellcheck shell=bash
# Pseudo-terminal helpers for the terminal tests: each test runs bridge in a
# private tmux server (its own socket), types with send-keys and reads the
# screen with capture-pane. Sourced after ../integration/lib.sh.
#
#   tty_run CMD...        start CMD in a fresh 160x40 pane; when it ends its exit
#                         code goes to $T/tty.rc and the pane stays readable
#   tty_screen            print the pane's text
#   tty_screen_ansi       the same with colour escapes (capture-pane -e)
#   tty_wait_screen STR [SECS]   wait until the pane shows STR
#   tty_wait_rc [SECS]    wait for CMD to end; sets TTY_RC
#   tty_keys KEYS...      tmux send-keys

command -v tmux >/dev/null || { echo "tmux is missing (bash .ci/install-deps --test)" >&2; exit 1; }

_TTY_SOCKET="bridge-test-$$"
_tmux() { tmux -L "$_TTY_SOCKET" -f /dev/null "$@"; }
_tty_cleanup() { _tmux kill-server 2>/dev/null || true; }
trap '_tty_cleanup; _cleanup' EXIT

tty_run() {
    rm -f "$T/tty.rc"
    local cmd
    printf -v cmd '%q ' "$@"
    printf '%s\n' "$cmd" >"$T/tty.cmd"
    _tmux new-session -d -s bridge -x 160 -y 40 \
        "bash -c '$cmd; echo \$? > \"$T/tty.rc\"; sleep 600'"
}

tty_screen() { _tmux capture-pane -p -t bridge; }
tty_screen_ansi() { _tmux capture-pane -p -e -t bridge; }
tty_keys() { _tmux send-keys -t bridge "$@"; }

tty_wait_screen() {
    local want=$1 limit=${2:-10} i
    for ((i = 0; i < limit * 20; i++)); do
        tty_screen | grep -qF -- "$want" && return 0
        sleep 0.05
    done
    echo "--- screen ---" >&2
    tty_screen >&2
    fail "the terminal did not show '$want' within ${limit}s"
}

tty_wait_rc() {
    local limit=${1:-20} i
    for ((i = 0; i < limit * 20; i++)); do
        if [[ -s "$T/tty.rc" ]]; then
            TTY_RC=$(<"$T/tty.rc")
            return 0
        fi
        sleep 0.05
    done
    echo "--- screen ---" >&2
    tty_screen >&2
    fail "the command in the terminal did not end within ${limit}s"
}
