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
#   spinner_scenario ...  the spinner checks shared by ask and stream (below)

command -v tmux >/dev/null || { echo "tmux is missing (bash .ci/install-deps --test)" >&2; exit 1; }

_TTY_SOCKET="bridge-test-$$"
_tmux() { tmux -L "$_TTY_SOCKET" -f /dev/null "$@"; }
# Keeps the exit status for _cleanup, which exits with the status it finds.
_tty_cleanup() {
    local status=$?
    _tmux kill-server 2>/dev/null || true
    return "$status"
}
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

# spinner_scenario SUBCOMMAND SPINNER_TEXT ANSWER MOCK_ANSWER_JSON: the spinner
# of `bridge SUBCOMMAND` on a terminal stderr, for a mock that holds back
# MOCK_ANSWER_JSON (its "text" or "deltas", giving ANSWER on one line):
#   1. shown while the answer is held back (20 s: far longer than bridge needs
#      to start and draw, even on a loaded machine), erased before the answer,
#      which is left on a clean line;
#   2. with -q never drawn at all: script(1) keeps every byte the terminal
#      received, so this does not depend on looking at the right moment; the
#      same capture without -q must show the spinner, or the check proves
#      nothing;
#   3. with stderr not a terminal (stdout is), stderr stays empty.
spinner_scenario() {
    local sub=$1 spin=$2 answer=$3 body=$4 screen
    start_mock '{"keys":{
      "sk-ant-tty-spin-slow-aaaaaaaaaaaaaaaa":'"${body%\}}"',"delay_ms":20000},
      "sk-ant-tty-spin-held-aaaaaaaaaaaaaaaa":'"${body%\}}"',"delay_ms":6000}}}'
    export BRIDGE_STATE="$T/state/state.json" ANTHROPIC_BASE_URL=$MOCK_URL
    local slow="$T/keys.slow" held="$T/keys.held"
    mv "$(write_key_file "slow sk-ant-tty-spin-slow-aaaaaaaaaaaaaaaa")" "$slow"
    mv "$(write_key_file "held sk-ant-tty-spin-held-aaaaaaaaaaaaaaaa")" "$held"

    tty_run env BRIDGE_KEY_FILE="$slow" "$BRIDGE" "$sub" --no-stdin question
    tty_wait_screen "$spin" 19
    tty_wait_rc 60
    [[ $TTY_RC == 0 ]] || fail "$sub exited $TTY_RC on a terminal"
    screen=$(tty_screen)
    grep -qx "$answer" <<<"$screen" || { echo "$screen" >&2; fail "the answer is not on a clean line"; }
    if grep -qF "$spin" <<<"$screen"; then
        echo "$screen" >&2
        fail "the spinner was not erased before the answer"
    fi
    _tmux kill-server

    BRIDGE_KEY_FILE="$held" script -qec "\"$BRIDGE\" $sub --no-stdin question" /dev/null >"$T/raw" 2>&1 </dev/null ||
        fail "$sub under script(1) failed: $(cat -v "$T/raw")"
    grep -qF "$spin" "$T/raw" || { cat -v "$T/raw" >&2; fail "script(1) did not capture the spinner: the -q check would prove nothing"; }
    BRIDGE_KEY_FILE="$held" script -qec "\"$BRIDGE\" -q $sub --no-stdin question" /dev/null >"$T/raw-q" 2>&1 </dev/null ||
        fail "$sub -q under script(1) failed: $(cat -v "$T/raw-q")"
    grep -qF "$answer" "$T/raw-q" || { cat -v "$T/raw-q" >&2; fail "$sub -q: no answer"; }
    if grep -qF "waiting for" "$T/raw-q"; then
        cat -v "$T/raw-q" >&2
        fail "a spinner with -q"
    fi

    tty_run bash -c "BRIDGE_KEY_FILE=\"$held\" \"$BRIDGE\" $sub --no-stdin question 2>\"$T/stderr\""
    tty_wait_rc 60
    [[ $TTY_RC == 0 ]] || fail "$sub with stderr to a file exited $TTY_RC"
    [[ -s "$T/stderr" ]] && { cat -v "$T/stderr" >&2; fail "stderr that is not a terminal got spinner output"; }
    grep -qx "$answer" <<<"$(tty_screen)" || { tty_screen >&2; fail "$sub with stderr to a file: no answer"; }
    _tmux kill-server
}
