#!/usr/bin/env bash
# Proof under load (docs/state.md): 64 bridge processes (LOAD_PROCESSES, set
# to 256 by load/processes_256.sh), started together through a barrier,
# share one state file. Each has its own key file whose first key answers
# 429 after a short delay and whose second key answers 200, so all of them
# write a cooldown mark at about the same moment: appended to the journal,
# folded into the state file under the flock of state.json.lock. Afterwards:
#   - every process exited 0 with the answer and no warning (no lock give-up,
#     no corrupt file), also under ASan on a loaded machine: contention alone
#     never loses a mark;
#   - every cooldown is in the state file itself (not only in the journal,
#     which is folded in and gone), and the bridge reads it back without
#     complaint (`keys status --json` over all the keys shows exactly the
#     first keys cooling and the second keys ready);
#   - each key was sent exactly once, no temporary file is left, the modes
#     are 0600 / 0700;
#   - the claims ledger is never touched (the mock sends no rate-limit
#     headers, so there is no bucket to claim from);
#   - the lock wait and hold times each process reports (BRIDGE_STATE_TIMING)
#     are printed as percentiles: measured, not asserted (bench/ compares).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

N=${LOAD_PROCESSES:-64}
DELAY_MS=300
# Generous: under ASan 256 processes share two busy cores.
PER_PROCESS_SECS=400

# ---- the mock: P<i>-first answers 429 (retry-after 1 h), P<i>-second 200 ----
first_key() { printf 'sk-ant-load-%03d-first-%s' "$1" "aaaaaaaaaaaaaaaa"; }
second_key() { printf 'sk-ant-load-%03d-second-%s' "$1" "bbbbbbbbbbbbbbbb"; }

script='{"keys": {'
for ((i = 1; i <= N; i++)); do
    ((i > 1)) && script+=','
    script+="\"$(first_key "$i")\": {\"status\": 429, \"delay_ms\": $DELAY_MS, \"headers\": {\"retry-after\": 3600}},"
    script+="\"$(second_key "$i")\": {\"text\": \"answer for process $i\"}"
done
script+='}}'
start_mock "$script"

mkdir -p "$T/keys" "$T/run"
for ((i = 1; i <= N; i++)); do
    (umask 077 && printf 'first-%03d %s\nsecond-%03d %s\n' "$i" "$(first_key "$i")" "$i" "$(second_key "$i")" \
        >"$T/keys/$i")
done
STATE_DIR="$T/state"
STATE="$STATE_DIR/state.json"

# ---- the barrier: a FIFO held open read-write here, so that a child's open
# never blocks and its `read` waits until the line for it is written ---------
mkfifo "$T/go"
exec 9<>"$T/go"

_need BRIDGE
pids=()
for ((i = 1; i <= N; i++)); do
    (
        : >"$T/run/ready.$i"
        read -r _ <"$T/go"
        rc=0
        BRIDGE_STATE_TIMING="$T/timing" BRIDGE_CLAIM_TIMING="$T/claim-timing" timeout -k 5 "$PER_PROCESS_SECS" "$BRIDGE" ask -v --no-stdin --key-file "$T/keys/$i" --state "$STATE" \
            --base-url "$MOCK_URL" "question $i" >"$T/run/out.$i" 2>"$T/run/err.$i" || rc=$?
        date +%s%3N >"$T/run/end.$i"
        echo "$rc" >"$T/run/rc.$i"
    ) &
    pids+=($!)
done

for ((w = 0; w < 2400; w++)); do
    ready=$(find "$T/run" -name 'ready.*' | wc -l)
    ((ready == N)) && break
    sleep 0.05
done
((ready == N)) || fail "only $ready of $N processes reached the barrier within 120 s"

start_ms=$(date +%s%3N)
# One write releases all of them at once.
printf '%.0s\n' $(seq 1 "$N") >&9

for pid in "${pids[@]}"; do
    wait "$pid" || true
done
exec 9>&-

end_max=0
for ((i = 1; i <= N; i++)); do
    [[ -s "$T/run/end.$i" ]] || fail "process $i left no end time"
    e=$(cat "$T/run/end.$i")
    ((e > end_max)) && end_max=$e
done
total_ms=$((end_max - start_ms))
echo "$N processes: all done $total_ms ms after the barrier opened"
echo "end times (ms after the barrier): $(for ((i = 1; i <= N; i++)); do echo $(($(cat "$T/run/end.$i") - start_ms)); done | sort -n | tr "\n" " ")"

# ---- every process: exit 0, its own answer, no warning -----------------------
for ((i = 1; i <= N; i++)); do
    rc=$(cat "$T/run/rc.$i")
    cp "$T/run/out.$i" "$T/out"
    cp "$T/run/err.$i" "$T/err"
    RC=$rc
    _LAST_CMD="bridge ask (process $i of $N)"
    [[ "$rc" == 0 ]] || fail "process $i exited $rc"
    expect_out_eq "answer for process $i"
    expect_err_not_contains "warning"
    expect_err_contains "cooling for 1h"
    expect_err_contains "answer served by key second-$(printf %03d "$i")"
done

# ---- the mock saw each key exactly once ---------------------------------------
counts=$(grep -o '"key":"[^"]*"' "$(mock_log)" | sort | uniq -c | awk '{print $1}' | sort -u | tr '\n' ' ')
[[ "$counts" == "1 " ]] || fail "some key was sent more or less than once (counts: $counts)"
[[ $(wc -l <"$(mock_log)") -eq $((2 * N)) ]] || fail "the mock saw $(wc -l <"$(mock_log)") requests, expected $((2 * N))"

# ---- the state file: the bridge reads it back, 64 cooling rows -----------------
[[ -s "$STATE" ]] || fail "no state file after $N runs"
all="$T/all-keys"
(
    umask 077
    for ((i = 1; i <= N; i++)); do
        printf 'first-%03d %s\nsecond-%03d %s\n' "$i" "$(first_key "$i")" "$i" "$(second_key "$i")"
    done >"$all"
)
RC=0
_LAST_CMD="bridge keys status --json (all $((2 * N)) keys)"
"$BRIDGE" keys status --json -m claude-sonnet-4-5 --key-file "$all" --state "$STATE" >"$T/out" 2>"$T/err" || RC=$?
expect_rc 0
expect_err_empty
[[ ! -e "$STATE.corrupt" ]] || fail "the state file was found corrupt"
# The rows answer for the model the runs asked (a 429 cools a key for it
# alone); a row nests its per-model cooldowns, so read the flat members.
declare -A row_label=() row_state=()
while IFS=$'\t' read -r path value; do
    case $path in
    */*/*) ;;
    */label) row_label[${path%/label}]=$value ;;
    */state) row_state[${path%/state}]=$value ;;
    esac
done < <(_state_flat "$T/out")
declare -A state_of=()
for r in "${!row_label[@]}"; do
    state_of[${row_label[$r]}]=${row_state[$r]:-}
done
[[ ${#state_of[@]} -eq $((2 * N)) ]] || fail "keys status listed ${#state_of[@]} rows"
cooling=0
for s in "${state_of[@]}"; do
    [[ $s == cooling ]] && cooling=$((cooling + 1))
done
[[ "$cooling" -eq $N ]] || fail "$cooling of $N cooldowns are in the state file"
for ((i = 1; i <= N; i++)); do
    l=$(printf %03d "$i")
    [[ "${state_of[first-$l]:-}" == cooling ]] || fail "the mark of first-$l is lost"
    [[ "${state_of[second-$l]:-}" == ready ]] || fail "second-$l is not ready"
done
entries=$(grep -c '"mark": "cooling"' "$STATE" || true)
[[ "$entries" -eq $N ]] || fail "the state file holds $entries cooling entries, expected $N"
[[ ! -e "$STATE.journal" && ! -e "$STATE.journal.folding" ]] ||
    fail "the journal was not folded into the state file: $(ls -a "$STATE_DIR")"

# ---- the mock sends no rate-limit headers: no process touched the claims
# ledger (docs/marks.md: no ledger, no claim, no lock) ---------------------------
[[ ! -s "$T/claim-timing" ]] || fail "$(wc -l <"$T/claim-timing") claims-ledger updates for an upstream that sends no limits"
[[ ! -e "$STATE.claims" ]] || fail "a claims ledger was left for an upstream that sends no limits"

# ---- lock wait and hold, as each process reported them ------------------------
# One line per update: wait_us=W hold_us=H records=R outcome=O.
[[ -s "$T/timing" ]] || fail "no process reported its lock timing"
! grep -q 'outcome=lock-timeout' "$T/timing" || fail "some process gave up on the lock: $(grep -c lock-timeout "$T/timing")"
# percentiles FIELD FILE: p50, p99 and max of FIELD over the lines of FILE.
percentiles() {
    sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$2" | sort -n | awk '
        function at(q,  i) { i = int(NR * q + 0.999999); return v[i < 1 ? 1 : i] }
        {v[NR] = $1}
        END {printf "p50 %d us, p99 %d us, max %d us (%d updates)", at(0.50), at(0.99), v[NR], NR}'
}
grep -E 'outcome=folded$' "$T/timing" >"$T/folds" || true
folds=$(wc -l <"$T/folds")
echo "lock wait (every update): $(percentiles wait_us "$T/timing")"
echo "lock hold (updates that wrote the file): $(percentiles hold_us "$T/folds")"
echo "$folds state-file writes folded the $N marks"

# ---- no temporary file left behind; modes as docs/contract.md (the state file) says ----------------------
leftover=$(find "$STATE_DIR" -name 'state.json.tmp.*' | wc -l)
[[ "$leftover" -eq 0 ]] || fail "$leftover temporary files left in $STATE_DIR: $(ls -a "$STATE_DIR")"
[[ $(stat -c %a "$STATE") == 600 ]] || fail "state file mode $(stat -c %a "$STATE")"
[[ $(stat -c %a "$STATE_DIR") == 700 ]] || fail "state directory mode $(stat -c %a "$STATE_DIR")"

echo "load test passed ($N processes, $total_ms ms)"
