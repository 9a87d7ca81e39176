# shellcheck shell=bash
# Counting what claims let through, for the claims scenarios (marks/claims.sh
# on the state file, redis/claims.sh on Redis); sourced by them after lib.sh.
#   by_status STATUS          how many answers the mock gave with that status
#   claim_at_once N MODEL [MACHINE...]
#                             N `ask -m MODEL` processes over $KEYS and $STATE,
#                             released together through a FIFO; with machines
#                             (machines.sh) process i runs as MACHINE number
#                             (i - 1) modulo their count. Fails unless each
#                             exits 0 and prints "served", and, with machines,
#                             says nothing on stderr (no fallback warning).
#                             With CLAIM_SESSION=NAME set, process i asks as
#                             --session NAME-i (a conversation of its own).

by_status() {
    local stats rest
    stats=$(mock_stats)
    rest=${stats#*\"by_status\":\{}
    rest=",${rest%%\}*},"
    if [[ $rest == *"\"$1\":"* ]]; then rest=${rest#*\""$1"\":}; echo "${rest%%[!0-9]*}"; else echo 0; fi
}

# _claimer I MODEL: one process of claim_at_once, once the FIFO says go.
_claimer() {
    local i=$1 model=$2 rc=0 session=()
    [[ -z ${CLAIM_SESSION:-} ]] || session=(--session "$CLAIM_SESSION-$i")
    read -r _ <"$T/go"
    timeout -k 5 120 "$BRIDGE" ask -m "$model" --no-stdin --key-file "$KEYS" --state "$STATE" \
        --base-url "$MOCK_URL" "${session[@]}" "hi $i" >"$T/out.$i" 2>"$T/err.$i" || rc=$?
    echo "$rc" >"$T/rc.$i"
}

claim_at_once() {
    local n=$1 model=$2 i
    shift 2
    local machines=("$@") pids=()
    rm -f "$T/go"
    mkfifo "$T/go"
    exec 9<>"$T/go"
    for ((i = 1; i <= n; i++)); do
        if ((${#machines[@]} > 0)); then
            on_machine "${machines[(i - 1) % ${#machines[@]}]}" _claimer "$i" "$model" &
        else
            _claimer "$i" "$model" &
        fi
        pids+=($!)
    done
    for ((i = 1; i <= n; i++)); do echo go >&9; done
    wait "${pids[@]}"
    exec 9>&-
    for ((i = 1; i <= n; i++)); do
        [[ $(cat "$T/rc.$i") == 0 ]] || fail "process $i exited $(cat "$T/rc.$i"): $(cat "$T/err.$i")"
        [[ $(cat "$T/out.$i") == served ]] || fail "process $i printed: $(cat "$T/out.$i")"
        ((${#machines[@]} == 0)) || [[ ! -s $T/err.$i ]] || fail "process $i warned: $(cat "$T/err.$i")"
    done
}
