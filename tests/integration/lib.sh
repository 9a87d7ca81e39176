# shellcheck shell=bash
# Helpers for the integration tests. Each test is one bash script that
# sources this file; ctest runs it with two variables set:
#   BRIDGE       path of the bridge binary under test
#   BRIDGE_MOCK  path of the bridge-mock upstream (tests/mock)
# Optional: BRIDGE_TEST_TIMEOUT (seconds a single bridge run may take, 60),
#           KEEP_TMP=1 (keep the temporary directory for a post-mortem).
#
# Only bash, coreutils, grep, sed and curl are used: no python, no jq.
#
# Provided:
#   $T                              per-test temporary directory (removed on exit)
#   start_mock SCRIPT_JSON [NAME]   start a mock; exports MOCK_URL (or MOCK_URL_NAME)
#   stop_mock [NAME]                stop it (its port then refuses connections)
#   mock_url [NAME]                 print its base URL
#   mock_log [NAME]                 print the path of its JSON Lines request log
#   mock_stats [NAME]               print {"requests":N,"connections":C,"by_key":{..},"by_path":{..}}
#   mock_requests / mock_connections [NAME]    print one figure from the stats
#   mock_key_requests KEY [NAME]    print how many requests carried x-api-key KEY
#   write_key_file LINE...          write $T/keys (mode 0600) and print its path
#   run_bridge ARGS...              run "$BRIDGE" -> $T/out, $T/err, $RC (never aborts)
#   run_bridge_stdin TEXT ARGS...   the same with TEXT on standard input
#   start_bridge ARGS...            run it in the background, stdout through a pipe;
#                                   BRIDGE_PID is the bridge process itself
#   wait_bridge [SECS]              wait for it (bounded) and set $RC
#   wait_for_output STR [SECS]      wait until $T/out contains STR
#   wait_for_file PATH [SECS]       wait until PATH exists
#   expect_rc N
#   expect_out_eq STR               stdout equals STR (trailing newlines ignored)
#   expect_out_exact STR            stdout is byte for byte STR
#   expect_out_contains STR / expect_out_not_contains STR
#   expect_err_contains STR / expect_err_not_contains STR
#   expect_out_empty / expect_err_empty
#   expect_requests N [NAME] / expect_connections N [NAME] / expect_key_requests KEY N [NAME]
#   fail MSG                        report MSG with the last run's output and exit 1
set -euo pipefail
shopt -s inherit_errexit

# The environment of the developer or CI machine must not leak into a test:
# a real key, a real key file or state, or a proxy that would swallow
# 127.0.0.1. HOME and the XDG directories point into $T, so the default
# key-file and state paths are empty unless a test fills them.
unset ANTHROPIC_API_KEY ANTHROPIC_BASE_URL BRIDGE_KEY_FILE BRIDGE_STATE BRIDGE_MODEL
unset OPENAI_API_KEY OPENAI_BASE_URL BRIDGE_PROVIDER
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
unset REDISCLI_AUTH

T=$(mktemp -d "${TMPDIR:-/tmp}/bridge-test.XXXXXX")
export T
export HOME="$T/home" XDG_CONFIG_HOME="$T/home/.config" XDG_STATE_HOME="$T/home/.local/state"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"

# A test reads nothing from whatever stdin ctest happens to give it: a run
# that wants input redirects it explicitly (run_bridge ... <file).
exec </dev/null

RC=0
BRIDGE_PID=
_BRIDGE_PIPE_PID=
_LAST_CMD=
declare -A _MOCK_PIDS=()
declare -A _MOCK_URLS=()

_cleanup() {
    local status=$?
    set +e
    if [[ -n "$BRIDGE_PID" ]]; then
        kill -KILL "$BRIDGE_PID" 2>/dev/null
    fi
    [[ -n "${REDIS_PID:-}" ]] && kill -KILL "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null
    local name
    for name in "${!_MOCK_PIDS[@]}"; do
        _stop_pid "${_MOCK_PIDS[$name]}"
    done
    if [[ "${KEEP_TMP:-}" == 1 ]]; then
        echo "kept $T" >&2
    else
        rm -rf "$T"
    fi
    exit "$status"
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# SIGTERM, then SIGKILL if the process is still there after 3 s.
_stop_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 60; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

_show_file() {
    local label=$1 file=$2
    if [[ ! -s "$file" ]]; then
        echo "--- $label: (empty)"
        return
    fi
    echo "--- $label:"
    # Bounded: a failing multi-megabyte stream test must not flood the log.
    head -c 4000 "$file"
    local size
    size=$(wc -c <"$file")
    if ((size > 4000)); then
        printf '\n... (%s bytes in all)' "$size"
    fi
    echo
}

fail() {
    {
        echo "FAIL: $*"
        if [[ -n "$_LAST_CMD" ]]; then
            echo "--- command: $_LAST_CMD"
            echo "--- exit code: $RC"
        fi
        _show_file stdout "$T/out"
        _show_file stderr "$T/err"
    } >&2
    exit 1
}

_need() {
    local var=$1
    if [[ -z "${!var:-}" || ! -x "${!var}" ]]; then
        echo "FAIL: \$$var must name an executable (it is '${!var:-}')" >&2
        exit 1
    fi
}

_mock_suffix() {
    local name=${1:-}
    [[ -z "$name" ]] && return 0
    if [[ ! "$name" =~ ^[A-Za-z0-9_]+$ ]]; then
        echo "FAIL: mock name '$name' must be letters, digits or _" >&2
        exit 1
    fi
    printf -- '-%s' "$name"
}

# start_mock SCRIPT_JSON [NAME]
start_mock() {
    _need BRIDGE_MOCK
    local script=$1 name=${2:-} suffix
    suffix=$(_mock_suffix "$name")
    local base="$T/mock$suffix"
    if [[ -n "${_MOCK_PIDS[${name:-.}]:-}" ]]; then
        fail "start_mock: a mock named '${name}' is already running"
    fi
    printf '%s' "$script" >"$base.json"
    rm -f "$base.port"
    "$BRIDGE_MOCK" --script "$base.json" --port-file "$base.port" --log "$base.log" \
        </dev/null >"$base.stdout" 2>"$base.stderr" &
    local pid=$!
    _MOCK_PIDS[${name:-.}]=$pid
    local i
    for ((i = 0; i < 200; i++)); do
        [[ -s "$base.port" ]] && break
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "FAIL: bridge-mock${name:+ $name} exited before it was ready:" >&2
            cat "$base.stderr" >&2
            exit 1
        fi
        sleep 0.05
    done
    if [[ ! -s "$base.port" ]]; then
        echo "FAIL: bridge-mock${name:+ $name} did not announce its port within 10 s" >&2
        cat "$base.stderr" >&2
        exit 1
    fi
    local port
    port=$(tr -d '[:space:]' <"$base.port")
    local url="http://127.0.0.1:$port"
    _MOCK_URLS[${name:-.}]=$url
    if [[ -z "$name" ]]; then
        export MOCK_URL=$url
    else
        export "MOCK_URL_$name=$url"
    fi
}

stop_mock() {
    local name=${1:-}
    local pid=${_MOCK_PIDS[${name:-.}]:-}
    [[ -n "$pid" ]] || fail "stop_mock: no mock named '${name}'"
    _stop_pid "$pid"
    unset "_MOCK_PIDS[${name:-.}]"
}

mock_url() {
    local name=${1:-}
    local url=${_MOCK_URLS[${name:-.}]:-}
    [[ -n "$url" ]] || fail "no mock named '${name}' was started"
    printf '%s\n' "$url"
}

mock_log() {
    local suffix
    suffix=$(_mock_suffix "${1:-}")
    printf '%s\n' "$T/mock$suffix.log"
}

mock_stats() {
    local url
    url=$(mock_url "${1:-}")
    curl -sS --noproxy '*' --max-time 5 "$url/__mock/stats" || fail "cannot read the stats of mock '${1:-}'"
}

# Pulls one number out of the flat stats JSON with shell patterns only.
_stat_number() {
    local json=$1 field=$2 rest
    rest=${json#*\""$field"\":}
    if [[ "$rest" == "$json" ]]; then
        echo 0
        return
    fi
    echo "${rest%%[!0-9]*}"
}

mock_requests() {
    local stats
    stats=$(mock_stats "${1:-}")
    _stat_number "$stats" requests
}

mock_connections() {
    local stats
    stats=$(mock_stats "${1:-}")
    _stat_number "$stats" connections
}

# mock_key_requests KEY [NAME]: requests that carried x-api-key KEY.
mock_key_requests() {
    local key=$1 stats by_key
    stats=$(mock_stats "${2:-}")
    by_key=${stats#*\"by_key\":\{}
    by_key=${by_key%%\}*}
    _stat_number "{$by_key}" "$key"
}

# write_key_file LINE...: one key-file line per argument, in $T/keys (0600).
write_key_file() {
    local file="$T/keys"
    (umask 077 && printf '%s\n' "$@" >"$file")
    chmod 600 "$file"
    printf '%s\n' "$file"
}

_timeout() {
    echo "${BRIDGE_TEST_TIMEOUT:-60}"
}

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
    wait_for_file "$T/bridge.pid" 10
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

wait_for_file() {
    local path=$1 secs=${2:-10} i
    for ((i = 0; i < secs * 20; i++)); do
        [[ -e "$path" ]] && return 0
        sleep 0.05
    done
    fail "$path did not appear within $secs s"
}

wait_for_output() {
    local str=$1 secs=${2:-10} i
    for ((i = 0; i < secs * 20; i++)); do
        grep -qF -- "$str" "$T/out" 2>/dev/null && return 0
        sleep 0.05
    done
    fail "stdout did not contain '$str' within $secs s"
}

expect_rc() {
    [[ "$RC" == "$1" ]] || fail "expected exit code $1, got $RC"
}

expect_out_eq() {
    local out
    out=$(cat "$T/out")
    [[ "$out" == "$1" ]] || fail "expected stdout to be '$1'"
}

expect_out_exact() {
    printf '%s' "$1" >"$T/expected"
    cmp -s "$T/expected" "$T/out" || fail "expected stdout to be exactly '$1' (byte for byte)"
}

expect_out_contains() {
    grep -qF -- "$1" "$T/out" || fail "expected stdout to contain '$1'"
}

expect_out_not_contains() {
    ! grep -qF -- "$1" "$T/out" || fail "expected stdout not to contain '$1'"
}

expect_err_contains() {
    grep -qF -- "$1" "$T/err" || fail "expected stderr to contain '$1'"
}

expect_err_not_contains() {
    ! grep -qF -- "$1" "$T/err" || fail "expected stderr not to contain '$1'"
}

expect_out_empty() {
    [[ ! -s "$T/out" ]] || fail "expected stdout to be empty"
}

expect_err_empty() {
    [[ ! -s "$T/err" ]] || fail "expected stderr to be empty"
}

expect_requests() {
    local got
    got=$(mock_requests "${2:-}")
    [[ "$got" == "$1" ]] || fail "expected mock '${2:-}' to have seen $1 requests, it saw $got: $(mock_stats "${2:-}")"
}

expect_connections() {
    local got
    got=$(mock_connections "${2:-}")
    [[ "$got" == "$1" ]] || fail "expected mock '${2:-}' to have seen $1 connections, it saw $got: $(mock_stats "${2:-}")"
}

expect_key_requests() {
    local got
    got=$(mock_key_requests "$1" "${3:-}")
    [[ "$got" == "$2" ]] || fail "expected $2 requests with key '$1' at mock '${3:-}', got $got: $(mock_stats "${3:-}")"
}

# ---------------------------------------------------------------------------
# Helpers for the bridge scenarios (added with them; nothing above changed).
#   setup_pool LINE...              key file ($KEYS, via write_key_file) and a state
#                                   path $STATE in $T/state (not created)
#   run_pool CMD ARGS...            run_bridge CMD --key-file $KEYS --state $STATE
#                                   --base-url ${POOL_URL:-$MOCK_URL} ARGS...
#   run_pool_stdin TEXT CMD ARGS... the same with TEXT on standard input
#   keys_status                     `bridge keys status --json` of the pool into
#                                   $T/status.json; exit code in $STATUS_RC
#   key_field LABEL FIELD           FIELD of LABEL's row (runs keys_status)
#   state_field LABEL FIELD [FILE]  FIELD at the top of LABEL's state entry (key-wide mark)
#   model_field LABEL FIELD [FILE]  FIELD of LABEL's mark for $STATUS_MODEL (a 429's mark)
#   any_mark LABEL [FILE]           LABEL's mark, key-wide or for $STATUS_MODEL
#   json_objects FILE               the innermost {...} objects of FILE, one a line
#   json_field FIELD                a string/number FIELD of the JSON object on stdin
#   now_ms                          wall clock in milliseconds
#   expect_between N LO HI WHAT     LO <= N <= HI, else fail naming WHAT
#   expect_mock_log_contains STR [NAME] / expect_mock_log_not_contains STR [NAME]
#   wait_until_ready LABEL SECS     poll keys status until LABEL is ready (bounded)
#   stderr_json_line                stderr is exactly one line, a JSON error object
# ---------------------------------------------------------------------------
KEYS=
STATE=
STATUS_RC=0

setup_pool() {
    KEYS=$(write_key_file "$@")
    STATE="$T/state/state.json"
}

run_pool() {
    local cmd=$1
    shift
    run_bridge "$cmd" --key-file "$KEYS" --state "$STATE" --base-url "${POOL_URL:-$MOCK_URL}" "$@"
}

run_pool_stdin() {
    local input=$1 cmd=$2
    shift 2
    run_bridge_stdin "$input" "$cmd" --key-file "$KEYS" --state "$STATE" \
        --base-url "${POOL_URL:-$MOCK_URL}" "$@"
}

# shellcheck disable=SC2034 # STATUS_RC is read by the scenarios
keys_status() {
    STATUS_RC=0
    # For the model the scenarios send to (bridge's default): a 429 cools a key
    # for that model only (docs/marks.md), and the rows answer for it.
    timeout -k 5 "$(_timeout)" "$BRIDGE" keys status --json -m "${STATUS_MODEL:-claude-sonnet-4-5}" \
        --key-file "$KEYS" --state "$STATE" \
        >"$T/status.json" 2>"$T/status.err" || STATUS_RC=$?
}

json_objects() {
    tr -d '\n\r' <"$1" | grep -o '{[^{}]*}' || true
}

json_field() {
    local field=$1
    sed -n -e 's/.*"'"$field"'"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' \
        -e 't' -e 's/.*"'"$field"'"[[:space:]]*:[[:space:]]*\([^",}[:space:]]*\).*/\1/p' | head -n 1
}

key_field() {
    local label=$1 field=$2 path value row=
    keys_status
    # Rows nest (a key's per-model cooldowns under `models`): read the flat
    # members, a row being one index of the top-level array.
    while IFS=$'\t' read -r path value; do
        if [[ $path == */label && $path != */*/* && $value == "$label" ]]; then
            row=${path%/label}
            break
        fi
    done < <(_state_flat "$T/status.json")
    [[ -n "$row" ]] || return 0
    while IFS=$'\t' read -r path value; do
        [[ $path == "$row/$field" ]] && { printf '%s\n' "$value"; return 0; }
    done < <(_state_flat "$T/status.json")
    return 0
}

# _state_flat FILE: every scalar member of the JSON in FILE as one line
# "PATH<TAB>VALUE", PATH the member names from the top joined by '/' (an array
# element is its index), a string VALUE without its quotes. The state file's entries
# nest (a key's per-model marks are under its `models` member), which the
# innermost-object reading of json_objects cannot reach.
_state_flat() {
    local file=$1 tok name expect_key=0 pending=
    local -a paths=() types=() counts=()
    while IFS= read -r tok; do
        case $tok in
        '{' | '[')
            if ((${#types[@]} == 0)); then
                paths+=("")
            else
                name=$pending
                if [[ ${types[-1]} == a ]]; then name=${counts[-1]} counts[-1]=$((counts[-1] + 1)); fi
                paths+=("${paths[-1]:+${paths[-1]}/}$name")
            fi
            if [[ $tok == '{' ]]; then types+=(o) expect_key=1; else types+=(a) expect_key=0; fi
            counts+=(0)
            ;;
        '}' | ']')
            unset 'paths[-1]' 'types[-1]' 'counts[-1]'
            expect_key=0
            ;;
        ',') [[ ${types[-1]:-} == o ]] && expect_key=1 ;;
        ':') expect_key=0 ;;
        *)
            [[ $tok == \"*\" ]] && tok=${tok:1:-1}
            if ((expect_key)); then
                pending=$tok
            else
                name=$pending
                if [[ ${types[-1]:-} == a ]]; then name=${counts[-1]} counts[-1]=$((counts[-1] + 1)); fi
                printf '%s\t%s\n' "${paths[-1]:+${paths[-1]}/}$name" "$tok"
            fi
            ;;
        esac
    done < <(grep -oE '"([^"\\]|\\.)*"|[][{}:,]|[^][{}:,"[:space:]]+' "$file" || true)
    return 0
}

# _object_of_label FILE LABEL: the top-level members of LABEL's row in a
# `keys status --json` array (its per-model cooldowns left out), as one flat
# JSON object of strings that json_field reads.
_object_of_label() {
    local file=$1 label=$2 path value row= out=
    while IFS=$'\t' read -r path value; do
        if [[ $path == */label && $path != */*/* && $value == "$label" ]]; then
            row=${path%/label}
            break
        fi
    done < <(_state_flat "$file")
    [[ -n "$row" ]] || return 0
    while IFS=$'\t' read -r path value; do
        [[ $path == "$row"/* && $path != "$row"/*/* ]] || continue
        out+="${out:+, }\"${path#"$row"/}\": \"$value\""
    done < <(_state_flat "$file")
    printf '{%s}\n' "$out"
}

# _state_entry LABEL FILE: the path (keys/ID) of LABEL's entry in the state file.
_state_entry() {
    local label=$1 file=$2 path value
    while IFS=$'\t' read -r path value; do
        if [[ $path == keys/*/label && $path != keys/*/*/* && $value == "$label" ]]; then
            printf '%s\n' "${path%/label}"
            return 0
        fi
    done < <(_state_flat "$file")
    return 0
}

# state_field LABEL FIELD [FILE]: FIELD at the top of LABEL's entry, that is
# the key itself and its key-wide mark (401/403, spend, billing, a mark an
# older bridge wrote).
state_field() {
    local label=$1 field=$2 file=${3:-$STATE} entry
    [[ -f "$file" ]] || return 0
    entry=$(_state_entry "$label" "$file")
    [[ -n "$entry" ]] || return 0
    local path value
    while IFS=$'\t' read -r path value; do
        [[ $path == "$entry/$field" ]] && { printf '%s\n' "$value"; return 0; }
    done < <(_state_flat "$file")
    return 0
}

# model_field LABEL FIELD [FILE]: FIELD of LABEL's mark for the model the
# scenarios send to ($STATUS_MODEL, bridge's default), under the entry's
# `models` member: where a 429 and a proactive mark go.
model_field() {
    local label=$1 field=$2 file=${3:-$STATE}
    state_field "$label" "models/${STATUS_MODEL:-claude-sonnet-4-5}/$field" "$file"
}

# any_mark LABEL [FILE]: LABEL's mark whatever its scope: the key-wide one,
# else the one for $STATUS_MODEL; empty when the key has neither.
any_mark() {
    local mark
    mark=$(state_field "$1" mark "${2:-$STATE}")
    [[ -n "$mark" ]] || mark=$(model_field "$1" mark "${2:-$STATE}")
    printf '%s\n' "$mark"
}

now_ms() {
    date +%s%3N
}

expect_between() {
    local n=$1 lo=$2 hi=$3 what=$4
    [[ "$n" =~ ^-?[0-9]+$ ]] || fail "$what: '$n' is not a number"
    ((n >= lo && n <= hi)) || fail "$what: $n is not within [$lo, $hi]"
}

expect_mock_log_contains() {
    grep -qF -- "$1" "$(mock_log "${2:-}")" ||
        fail "expected the request log of mock '${2:-}' to contain '$1'; it holds: $(head -c 3000 "$(mock_log "${2:-}")")"
}

expect_mock_log_not_contains() {
    ! grep -qF -- "$1" "$(mock_log "${2:-}")" 2>/dev/null ||
        fail "expected the request log of mock '${2:-}' not to contain '$1'"
}

wait_until_ready() {
    local label=$1 secs=$2 i state
    for ((i = 0; i < secs * 20; i++)); do
        state=$(key_field "$label" state)
        [[ "$state" == ready ]] && return 0
        sleep 0.05
    done
    fail "key $label was still '$state' after $secs s: $(cat "$T/status.json")"
}

stderr_json_line() {
    local lines
    lines=$(wc -l <"$T/err")
    [[ "$lines" -eq 1 ]] || fail "expected exactly one line on stderr, got $lines"
    grep -qE '^\{"type"[[:space:]]*:[[:space:]]*"error"[[:space:]]*,[[:space:]]*"error"[[:space:]]*:[[:space:]]*\{"type"[[:space:]]*:[[:space:]]*"[a-z_]+"[[:space:]]*,[[:space:]]*"message"[[:space:]]*:[[:space:]]*"' "$T/err" ||
        fail "stderr is not one JSON error line of the upstream shape"
    grep -qE '\}[[:space:]]*$' "$T/err" || fail "the JSON error line is not closed"
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

bg_running() {
    [[ ! -e "$T/$1.rc" ]]
}

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

# wait_for_key_requests KEY N [SECS] [NAME]: until the mock has seen N requests with KEY.
wait_for_key_requests() {
    local key=$1 n=$2 secs=${3:-10} name=${4:-} i
    for ((i = 0; i < secs * 20; i++)); do
        (($(mock_key_requests "$key" "$name") >= n)) && return 0
        sleep 0.05
    done
    fail "the mock did not see $n requests with key $key within $secs s: $(mock_stats "$name")"
}

# ---------------------------------------------------------------------------
# A real redis-server for the shared-state scenarios (never a mock).
#   start_redis                 redis-server on a free 127.0.0.1 port, with a
#                               password, and on a unix socket; sets REDIS_PID,
#                               REDIS_PORT, REDIS_SOCK, REDIS_PASSWORD and
#                               REDIS_URL (no password: tests export
#                               REDISCLI_AUTH). Killed when the test exits.
#   stop_redis [SIGNAL]         send SIGNAL (default KILL) and wait for it to end
#   restart_redis               start it again on the same port and socket
#   redis_cli ARGS...           redis-cli against it, authenticated
#   REDIS_TIMEOUT_MS            a ?timeout= for URLs of a server that works: on a
#                               loaded machine the 250 ms default may pass before
#                               the answer (the default is for redis/faults.sh)
#   machine NAME                a "machine": its own HOME, XDG dirs and working
#                               directory under $T/machine-NAME
#   on_machine NAME FUNC ARGS...  run FUNC (run_pool, keys_status, ...) as that machine
# ---------------------------------------------------------------------------
REDIS_PID=
REDIS_PORT=
REDIS_SOCK=
REDIS_PASSWORD=
REDIS_URL=
REDIS_TIMEOUT_MS=10000

_launch_redis() {
    mkdir -p "$T/redis"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --requirepass "$REDIS_PASSWORD" \
        --unixsocket "$REDIS_SOCK" --unixsocketperm 700 --save '' --appendonly no \
        --dir "$T/redis" --logfile "$T/redis/redis.log" --daemonize no </dev/null >/dev/null 2>&1 &
    REDIS_PID=$!
    local i
    for ((i = 0; i < 200; i++)); do
        if redis_cli PING 2>/dev/null | grep -q PONG; then
            return 0
        fi
        kill -0 "$REDIS_PID" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

start_redis() {
    command -v redis-server >/dev/null || fail "redis-server is not installed (.ci/install-deps --test)"
    REDIS_PASSWORD="pw-$RANDOM$RANDOM-redis"
    REDIS_SOCK="$T/redis.sock"
    local attempt
    for ((attempt = 0; attempt < 20; attempt++)); do
        REDIS_PORT=$((20000 + RANDOM % 40000))
        _launch_redis && break
        kill -KILL "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
        REDIS_PID=
    done
    [[ -n "$REDIS_PID" ]] || fail "could not start redis-server: $(tail -5 "$T/redis/redis.log" 2>/dev/null)"
    REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
    export REDIS_PID REDIS_PORT REDIS_SOCK REDIS_PASSWORD REDIS_URL
}

stop_redis() {
    local signal=${1:-KILL}
    [[ -n "$REDIS_PID" ]] || return 0
    kill -CONT "$REDIS_PID" 2>/dev/null || true
    kill "-$signal" "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=
}

restart_redis() {
    stop_redis KILL
    local i
    for ((i = 0; i < 100; i++)); do
        _launch_redis && return 0
        kill -KILL "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
        REDIS_PID=
        sleep 0.1
    done
    fail "redis-server did not come back on port $REDIS_PORT"
}

redis_cli() {
    REDISCLI_AUTH="$REDIS_PASSWORD" timeout -k 2 20 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

machine() {
    local name=$1 dir="$T/machine-$1"
    mkdir -p "$dir/home/.config" "$dir/home/.local/state" "$dir/cwd"
}

on_machine() {
    local name=$1 dir="$T/machine-$1" status=0
    shift
    [[ -d "$dir" ]] || fail "on_machine: no machine '$name' (call machine $name first)"
    pushd "$dir/cwd" >/dev/null
    HOME="$dir/home" XDG_CONFIG_HOME="$dir/home/.config" XDG_STATE_HOME="$dir/home/.local/state" \
        "$@" || status=$?
    popd >/dev/null
    return "$status"
}

# The local state file of a machine (where it falls back when Redis is away).
machine_state() {
    printf '%s\n' "$T/machine-$1/home/.local/state/bridge/state.json"
}

# ---------------------------------------------------------------------------
# Timing without wall-clock windows. A loaded machine (2 cores, parallel
# ctest, other builds) makes every step slower by an unknown amount, so an
# expected duration is derived from what bridge itself recorded, or bounded
# by the time the test measured around the run, never by a fixed window.
#   rfc3339_ms TIME                 TIME (RFC 3339) as epoch milliseconds
#   expect_cooldown LABEL DELAY_MS T0_MS WHAT
#       the state file's mark of LABEL lasts exactly DELAY_MS (until - since,
#       as bridge recorded it), and keys status reports a retry_in_ms that is
#       at most DELAY_MS and at least DELAY_MS less the time since T0_MS
#       (taken before the run that made the mark).
#   expect_fast MS ALTERNATIVE_MS WHAT
#       MS is below half of ALTERNATIVE_MS: what the wrong behaviour (a hang,
#       a full sleep) would take; tests choose ALTERNATIVE_MS large (tens of
#       seconds) so that a busy machine stays far below it.
# ---------------------------------------------------------------------------
rfc3339_ms() {
    date -u -d "$1" +%s%3N
}

expect_cooldown() {
    local label=$1 delay=$2 t0=$3 what=$4 since until recorded left elapsed
    since=$(model_field "$label" since)
    until=$(model_field "$label" until)
    [[ -n "$since" && -n "$until" ]] || fail "$what: no since/until for $label in $(cat "$STATE" 2>/dev/null)"
    recorded=$(($(rfc3339_ms "$until") - $(rfc3339_ms "$since")))
    # The state file keeps milliseconds; allow one for the rounding of each.
    expect_between "$recorded" $((delay - 2)) $((delay + 2)) "$what: until - since in the state file"
    left=$(key_field "$label" retry_in_ms)
    elapsed=$(($(now_ms) - t0))
    expect_between "$left" $((delay - elapsed - 2)) $((delay + 2)) \
        "$what: retry_in_ms $elapsed ms after the run began"
}

expect_fast() {
    local ms=$1 alternative=$2 what=$3
    ((ms < alternative / 2)) || fail "$what: took $ms ms (the behaviour it rules out takes $alternative ms)"
}
