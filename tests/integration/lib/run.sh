# shellcheck shell=bash
# Running bridge: in the foreground (bounded, never aborting the test), in the
# background through a pipe, several at once, and against a key pool.
#   write_key_file LINE...          write $T/keys (mode 0600) and print its path
#   run_bridge ARGS...              run "$BRIDGE" -> $T/out, $T/err, $RC (never aborts)
#   run_bridge_stdin TEXT ARGS...   the same with TEXT on standard input
#   start_bridge ARGS...            run it in the background, stdout through a pipe;
#                                   BRIDGE_PID is the bridge process itself
#   wait_bridge [SECS]              wait for it (bounded) and set $RC
#   bg_bridge NAME ARGS... / bg_running NAME / bg_wait NAME [SECS]
#                                   several background runs, output in $T/NAME.*
#   case_start NAME ARGS... / cases_wait / case_load NAME
#                                   cases of a scenario run side by side: each
#                                   bounded by the hang guard, timed (shown,
#                                   not judged), then loaded as the last run
#   setup_pool LINE...              key file ($KEYS, via write_key_file) and a state
#                                   path $STATE in $T/state (not created)
#   run_pool CMD ARGS...            run_bridge CMD --key-file $KEYS --state $STATE
#                                   --base-url ${POOL_URL:-$MOCK_URL} ARGS...
#   run_pool_stdin TEXT CMD ARGS... the same with TEXT on standard input
#   keys_status                     `bridge keys status --json` of the pool into
#                                   $T/status.json; exit code in $STATUS_RC
KEYS=
STATE=
STATUS_RC=0

# write_key_file LINE...: one key-file line per argument, in $T/keys (0600).
write_key_file() {
    local file="$T/keys"
    (umask 077 && printf '%s\n' "$@" >"$file")
    chmod 600 "$file"
    printf '%s\n' "$file"
}

# _timeout: seconds a single bridge run may take (BRIDGE_TEST_TIMEOUT, 60).
_timeout() {
    echo "${BRIDGE_TEST_TIMEOUT:-60}"
}

# run_bridge ARGS...: runs bridge (bounded) -> $T/out, $T/err, $RC; never aborts.
run_bridge() {
    _need BRIDGE
    _LAST_CMD="bridge $*"
    RC=0
    timeout -k 5 "$(_timeout)" "$BRIDGE" "$@" >"$T/out" 2>"$T/err" || RC=$?
    if [[ $RC -eq 124 || $RC -eq 137 ]]; then
        echo "note: bridge was killed after $(_timeout) s (exit $RC)" >>"$T/err"
    fi
}

# run_bridge_stdin TEXT ARGS...: TEXT (as it is, no newline added) on stdin.
run_bridge_stdin() {
    local input=$1
    shift
    printf '%s' "$input" >"$T/stdin"
    run_bridge "$@" <"$T/stdin"
}

# start_bridge ARGS...: bridge in the background with its stdout a pipe (as
# in `bridge stream | consumer`), collected in $T/out. Stdin is
# $BRIDGE_STDIN when set, else /dev/null. SIGINT is restored to its default
# disposition: bash makes background jobs ignore it, and tests send it.
start_bridge() {
    _need BRIDGE
    _LAST_CMD="bridge $* (background)"
    rm -f "$T/bridge.pid" "$T/bridge.rc"
    : >"$T/out"
    : >"$T/err"
    (
        env --default-signal=INT,QUIT "$BRIDGE" "$@" <"${BRIDGE_STDIN:-/dev/null}" 2>"$T/err" &
        echo $! >"$T/bridge.pid.tmp"
        mv "$T/bridge.pid.tmp" "$T/bridge.pid"
        rc=0
        wait $! || rc=$?
        echo "$rc" >"$T/bridge.rc"
    ) | cat >"$T/out" &
    _BRIDGE_PIPE_PID=$!
    wait_for_file "$T/bridge.pid" "$HANG_GUARD_S"
    BRIDGE_PID=$(cat "$T/bridge.pid")
}

# wait_bridge [SECS]: waits for the background bridge; kills it and fails
# when it outlives SECS (default BRIDGE_TEST_TIMEOUT).
wait_bridge() {
    local secs=${1:-$(_timeout)} i
    [[ -n "$BRIDGE_PID" ]] || fail "wait_bridge: no bridge was started"
    for ((i = 0; i < secs * 20; i++)); do
        [[ -s "$T/bridge.rc" ]] && break
        sleep 0.05
    done
    if [[ ! -s "$T/bridge.rc" ]]; then
        kill -KILL "$BRIDGE_PID" 2>/dev/null || true
        BRIDGE_PID=
        RC=137
        fail "bridge did not finish within $secs s"
    fi
    RC=$(cat "$T/bridge.rc")
    BRIDGE_PID=
    # Let the `cat` collecting stdout finish writing $T/out; bounded, in
    # case something the bridge started still holds the pipe open.
    for ((i = 0; i < 100; i++)); do
        kill -0 "$_BRIDGE_PIPE_PID" 2>/dev/null || break
        sleep 0.05
    done
    wait "$_BRIDGE_PIPE_PID" 2>/dev/null || true
    _BRIDGE_PIPE_PID=
}

# bg_bridge NAME ARGS...: bridge in the background, stdout/stderr in
# $T/NAME.out / $T/NAME.err, its exit code in $T/NAME.rc when it ends (bounded
# by BRIDGE_TEST_TIMEOUT). Several may run at once; $T/out and $T/err are
# left alone. bg_wait NAME [SECS] waits for it and sets $RC.
declare -A _BG_PIDS=()
bg_bridge() {
    _need BRIDGE
    local name=$1
    shift
    rm -f "$T/$name.rc"
    (
        rc=0
        timeout -k 5 "$(_timeout)" "$BRIDGE" "$@" <"${BRIDGE_STDIN:-/dev/null}" \
            >"$T/$name.out" 2>"$T/$name.err" || rc=$?
        echo "$rc" >"$T/$name.rc.tmp"
        mv "$T/$name.rc.tmp" "$T/$name.rc"
    ) &
    _BG_PIDS[$name]=$!
}

# bg_running NAME: the background bridge NAME has not ended yet.
bg_running() {
    [[ ! -e "$T/$1.rc" ]]
}

# bg_wait NAME [SECS]: waits (bounded) for the background bridge NAME; sets $RC.
bg_wait() {
    local name=$1 secs=${2:-$(_timeout)} i
    for ((i = 0; i < secs * 20; i++)); do
        [[ -s "$T/$name.rc" ]] && break
        sleep 0.05
    done
    [[ -s "$T/$name.rc" ]] || fail "background bridge '$name' did not finish within $secs s"
    wait "${_BG_PIDS[$name]}" 2>/dev/null || true
    RC=$(cat "$T/$name.rc")
}

# setup_pool LINE...: the key file $KEYS and the state path $STATE (not created).
setup_pool() {
    KEYS=$(write_key_file "$@")
    STATE="$T/state/state.json"
}

# run_pool CMD ARGS...: run_bridge CMD with the pool's key file, state and base URL.
run_pool() {
    local cmd=$1
    shift
    run_bridge "$cmd" --key-file "$KEYS" --state "$STATE" --base-url "${POOL_URL:-$MOCK_URL}" "$@"
}

# run_pool_stdin TEXT CMD ARGS...: run_pool with TEXT on standard input.
run_pool_stdin() {
    local input=$1 cmd=$2
    shift 2
    run_bridge_stdin "$input" "$cmd" --key-file "$KEYS" --state "$STATE" \
        --base-url "${POOL_URL:-$MOCK_URL}" "$@"
}

# shellcheck disable=SC2034 # STATUS_RC is read by the scenarios
keys_status() {
    STATUS_RC=0
    # For the host run_pool sends to (marks belong to a host, docs/marks.md)
    # and the model the scenarios send to (bridge's default): a 429 cools a key
    # for that model only (docs/marks.md), and the rows answer for it.
    timeout -k 5 "$(_timeout)" "$BRIDGE" keys status --json -m "${STATUS_MODEL:-claude-sonnet-4-5}" \
        --key-file "$KEYS" --state "$STATE" --base-url "${POOL_URL:-$MOCK_URL}" \
        >"$T/status.json" 2>"$T/status.err" || STATUS_RC=$?
}

# case_start NAME ARGS...: bridge ARGS... in the background as case NAME of a
# scenario whose cases run side by side (stdin /dev/null, the caller's
# environment, so VAR=VALUE case_start ... passes VAR). Output in
# $T/NAME.out and $T/NAME.err, exit code in $T/NAME.rc, elapsed milliseconds
# in $T/NAME.ms. The hang guard ($HANG_GUARD_S) ends a run that never would.
_CASE_PIDS=()
case_start() {
    _need BRIDGE
    local name=$1
    shift
    (
        t0=$(now_ms)
        rc=0
        timeout -k 5 "$HANG_GUARD_S" "$BRIDGE" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null || rc=$?
        echo $(($(now_ms) - t0)) >"$T/$name.ms"
        echo "$rc" >"$T/$name.rc"
    ) &
    _CASE_PIDS+=($!)
}

# cases_wait: waits for every case started with case_start.
cases_wait() {
    local pid
    for pid in "${_CASE_PIDS[@]}"; do
        wait "$pid" || true
    done
    _CASE_PIDS=()
}

# case_load NAME: case NAME's results become the last run for expect_* and
# fail ($T/out, $T/err, RC; MS its duration); a case killed by a signal or
# with a sanitizer report fails the test.
case_load() {
    local name=$1
    cp "$T/$name.out" "$T/out"
    cp "$T/$name.err" "$T/err"
    RC=$(cat "$T/$name.rc")
    MS=$(cat "$T/$name.ms")
    _LAST_CMD="case $name ($MS ms)"
    ((RC < 128 || RC == 130)) || fail "case $name: bridge crashed or was killed (exit $RC)"
    ! grep -qE 'Sanitizer|runtime error:' "$T/err" || fail "case $name: sanitizer report"
}
