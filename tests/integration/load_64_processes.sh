#!/usr/bin/env bash
# Proof under load (docs/contract.md, the state file): 64 bridge processes, started together through a
# barrier, share one state file. Each has its own key file whose first key
# answers 429 after a short delay and whose second key answers 200, so all 64
# write a cooldown mark at about the same moment, under the flock of
# state.json.lock. Afterwards:
#   - every process exited 0 with the answer and no warning (no lock give-up,
#     no corrupt file);
#   - all 64 cooldowns are in the state file, which the bridge itself reads
#     back without complaint (`keys status --json` over all 128 keys shows
#     exactly the 64 first keys cooling and the 64 second keys ready);
#   - each key was sent exactly once, no temporary file is left, the modes
#     are 0600 / 0700.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

N=64
DELAY_MS=300

# ---- the mock: P<i>-first answers 429 (retry-after 1 h), P<i>-second 200 ----
first_key() { printf 'sk-ant-load-%02d-first-%s' "$1" "aaaaaaaaaaaaaaaa"; }
second_key() { printf 'sk-ant-load-%02d-second-%s' "$1" "bbbbbbbbbbbbbbbb"; }

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
    (umask 077 && printf 'first-%02d %s\nsecond-%02d %s\n' "$i" "$(first_key "$i")" "$i" "$(second_key "$i")" \
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
        timeout -k 5 60 "$BRIDGE" ask -v --no-stdin --key-file "$T/keys/$i" --state "$STATE" \
            --base-url "$MOCK_URL" "question $i" >"$T/run/out.$i" 2>"$T/run/err.$i" || rc=$?
        date +%s%3N >"$T/run/end.$i"
        echo "$rc" >"$T/run/rc.$i"
    ) &
    pids+=($!)
done

for ((w = 0; w < 600; w++)); do
    ready=$(find "$T/run" -name 'ready.*' | wc -l)
    ((ready == N)) && break
    sleep 0.05
done
((ready == N)) || fail "only $ready of $N processes reached the barrier within 30 s"

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
echo "64 processes: all done $total_ms ms after the barrier opened"
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
    expect_err_contains "answer served by key second-$(printf %02d "$i")"
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
        printf 'first-%02d %s\nsecond-%02d %s\n' "$i" "$(first_key "$i")" "$i" "$(second_key "$i")"
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
    l=$(printf %02d "$i")
    [[ "${state_of[first-$l]:-}" == cooling ]] || fail "the mark of first-$l is lost"
    [[ "${state_of[second-$l]:-}" == ready ]] || fail "second-$l is not ready"
done
entries=$(grep -c '"mark": "cooling"' "$STATE" || true)
[[ "$entries" -eq $N ]] || fail "the state file holds $entries cooling entries, expected $N"

# ---- no temporary file left behind; modes as docs/contract.md (the state file) says ----------------------
leftover=$(find "$STATE_DIR" -name 'state.json.tmp.*' | wc -l)
[[ "$leftover" -eq 0 ]] || fail "$leftover temporary files left in $STATE_DIR: $(ls -a "$STATE_DIR")"
[[ $(stat -c %a "$STATE") == 600 ]] || fail "state file mode $(stat -c %a "$STATE")"
[[ $(stat -c %a "$STATE_DIR") == 700 ]] || fail "state directory mode $(stat -c %a "$STATE_DIR")"

echo "load_64_processes passed ($N processes, $total_ms ms)"
