#!/usr/bin/env bash
# A lock holder that is truly stuck (docs/state.md): a bridge process stops
# itself with SIGSTOP right after taking state.json.lock (the test hook
# BRIDGE_STATE_TEST_STOP), so that the lock is held by a stopped process
# exactly as if it had been stopped there from outside.
#   1. Six other invocations, each learning a 429, all finish within the lock
#      bound (5 s, plus generous slack for a loaded machine), exit 0 with
#      their answer, and warn exactly once. Meanwhile `keys status` (which
#      takes no lock) already shows every one of their marks: they wait in
#      the journal, not lost.
#   2. The holder is resumed: it finishes its fold, and then every mark, its
#      own and the six others', is in the state file itself, the journal gone.
#   3. Again with a holder that is killed (SIGKILL) while stopped: the marks
#      are still seen by readers, and the next invocation that records a mark
#      folds every one of them into the state file.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

OTHERS=6
WITHIN_MS=45000 # the 5 s bound plus ample slack; a missing bound would hang until killed (300 s)
export BRIDGE_TEST_TIMEOUT=300

rate_key() { printf 'sk-ant-stop-%s-rate-%s' "$1" "aaaaaaaaaaaaaaaa"; }
GOOD=sk-ant-stop-good-bbbbbbbbbbbbbbbbbbbbbb
script='{"keys": {'
names=(holder1 holder2 after)
for ((i = 1; i <= 2 * OTHERS; i++)); do names+=("o$i"); done
for n in "${names[@]}"; do
    script+="\"$(rate_key "$n")\": {\"status\": 429, \"headers\": {\"retry-after\": 3600}},"
done
script+="\"$GOOD\": {\"text\": \"the answer\"}}}"
start_mock "$script"

STATE="$T/state/state.json"
ALL="$T/all-keys"
(umask 077 && for n in "${names[@]}"; do printf 'r-%s %s\n' "$n" "$(rate_key "$n")"; done >"$ALL")
kf() { # kf NAME: a key file with NAME's 429 key, then the good key
    (umask 077 && printf 'r-%s %s\ngood %s\n' "$1" "$(rate_key "$1")" "$GOOD" >"$T/kf-$1")
    printf '%s\n' "$T/kf-$1"
}

# cooling_seen FILE: how many of the rate keys `keys status` shows cooling,
# reading the state at FILE (a copy, or the live file).
cooling_seen() {
    local rc=0
    "$BRIDGE" keys status --json --key-file "$ALL" --state "$1" >"$T/status.out" 2>"$T/status.err" || rc=$?
    [[ "$rc" == 0 && ! -s "$T/status.err" ]] || { cp "$T/status.out" "$T/out"; cp "$T/status.err" "$T/err"; RC=$rc; fail "keys status on $1"; }
    tr -d '\n ' <"$T/status.out" | grep -o '"state":"cooling"' | wc -l
}
# cooling_in_file: cooling entries in the state file itself (no journal).
cooling_in_file() {
    [[ -e "$STATE" ]] || { echo 0; return; }
    grep -c '"mark": "cooling"' "$STATE" || true
}

# stop_holder NAME: a bridge that takes the lock for its mark and stops there.
stop_holder() {
    rm -f "$T/stopped"
    export BRIDGE_STATE_TEST_STOP="$T/stopped"
    start_bridge ask -q --no-stdin --key-file "$(kf "$1")" --state "$STATE" --base-url "$MOCK_URL" q
    unset BRIDGE_STATE_TEST_STOP
    wait_for_file "$T/stopped" 60
    local i state=
    for ((i = 0; i < 600; i++)); do
        state=$(awk '{print $3}' "/proc/$BRIDGE_PID/stat" 2>/dev/null || true)
        [[ "$state" == T ]] && break
        sleep 0.05
    done
    [[ "$state" == T ]] || fail "the holder $1 did not stop (state '$state')"
    ! flock -n "$STATE.lock" true || fail "the stopped holder does not hold the lock"
}

# run_others FIRST LAST: invocations oFIRST..oLAST side by side; each must
# answer, warn once about the lock, and finish within WITHIN_MS.
run_others() {
    local i pids=()
    for ((i = $1; i <= $2; i++)); do
        (
            t0=$(now_ms)
            rc=0
            timeout -k 5 300 "$BRIDGE" ask --no-stdin --key-file "$(kf "o$i")" --state "$STATE" \
                --base-url "$MOCK_URL" q >"$T/o$i.out" 2>"$T/o$i.err" || rc=$?
            echo $(($(now_ms) - t0)) >"$T/o$i.ms"
            echo "$rc" >"$T/o$i.rc"
        ) &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || true; done
    for ((i = $1; i <= $2; i++)); do
        cp "$T/o$i.out" "$T/out"
        cp "$T/o$i.err" "$T/err"
        RC=$(cat "$T/o$i.rc")
        _LAST_CMD="bridge ask (o$i, $(cat "$T/o$i.ms") ms, lock held by a stopped process)"
        expect_rc 0
        expect_out_eq "the answer"
        expect_err_contains "lock"
        expect_err_contains "the mark is kept in"
        [[ $(grep -c warning "$T/err") == 1 ]] || fail "o$i did not warn exactly once"
        (($(cat "$T/o$i.ms") < WITHIN_MS)) || fail "o$i waited longer than the bound allows"
    done
}

_need BRIDGE
command -v flock >/dev/null || fail "needs flock(1) from util-linux"

# ---- 1. a stopped holder: the others are bounded, warn once, lose nothing ----
stop_holder holder1
run_others 1 "$OTHERS"
seen=$(cooling_seen "$STATE")
((seen == OTHERS + 1)) || fail "while the holder is stopped, readers see $seen of $((OTHERS + 1)) marks"
echo "stopped holder: $OTHERS others answered and warned once; readers see all $seen marks; the file holds $(cooling_in_file)"

# ---- 2. resumed: the holder folds every mark in -----------------------------
kill -CONT "$BRIDGE_PID"
wait_bridge 120
expect_rc 0
expect_out_eq "the answer"
[[ $(cooling_in_file) == $((OTHERS + 1)) ]] ||
    fail "after the holder resumed the state file holds $(cooling_in_file) of $((OTHERS + 1)) marks: $(cat "$STATE")"
[[ ! -e "$STATE.journal" && ! -e "$STATE.journal.folding" ]] || fail "the journal is left after the fold: $(ls -a "$T/state")"
echo "resumed holder: the state file holds all $((OTHERS + 1)) marks"

# ---- 3. a stopped holder killed: the next recording run folds everything -----
stop_holder holder2
run_others $((OTHERS + 1)) $((2 * OTHERS))
kill -KILL "$BRIDGE_PID"
wait_bridge 60
expect_rc 137
expected=$((2 * OTHERS + 2))
seen=$(cooling_seen "$STATE")
((seen == expected)) || fail "after the holder was killed, readers see $seen of $expected marks"
((($(cooling_in_file)) < expected)) || fail "the marks reached the file without a fold: the test proves nothing"
run_bridge ask -q --no-stdin --key-file "$(kf after)" --state "$STATE" --base-url "$MOCK_URL" q
expect_rc 0
expect_err_empty
expected=$((expected + 1))
[[ $(cooling_in_file) == "$expected" ]] ||
    fail "after the next run the state file holds $(cooling_in_file) of $expected marks: $(cat "$STATE")"
[[ ! -e "$STATE.journal" && ! -e "$STATE.journal.folding" ]] || fail "the journal is left after the fold: $(ls -a "$T/state")"
for f in "$STATE" "$STATE.lock"; do
    [[ $(stat -c %a "$f") == 600 ]] || fail "$f has mode $(stat -c %a "$f")"
done
echo "killed holder: the next run folded all $expected marks into the state file"
echo "fault_lock_stopped_holder passed"
