# shellcheck shell=bash
# The core of every scenario (sourced by lib.sh first): a clean environment,
# the per-test temporary directory $T (removed on exit), fail and the
# assertions on bridge's exit code and output.
#   $T                              per-test temporary directory (removed on exit)
#   fail MSG                        report MSG with the last run's output and exit 1
#   expect_rc N
#   expect_out_eq STR               stdout equals STR (trailing newlines ignored)
#   expect_out_exact STR            stdout is byte for byte STR
#   expect_out_contains STR / expect_out_not_contains STR
#   expect_err_contains STR / expect_err_not_contains STR
#   expect_out_empty / expect_err_empty
#   stderr_json_line                stderr is exactly one line, a JSON error object
#   now_ms                          wall clock in milliseconds
#   expect_between N LO HI WHAT     LO <= N <= HI, else fail naming WHAT
#   is_sanitizer_build              $BRIDGE was built with AddressSanitizer
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

# Where npm packages installed for the real-client checks are looked for
# (lib/listener.sh, need_node_packages): the machine's own cache, not $T's.
# shellcheck disable=SC2034 # read by lib/listener.sh and openai/sdk_check.sh
NODE_CACHE_DIR=${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/bridge/node
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
REDIS_PID=
declare -A _MOCK_PIDS=()
declare -A _MOCK_URLS=()

# _cleanup: the EXIT trap: kills what the test started (bridge, Redis,
# mocks) and removes $T unless KEEP_TMP=1; keeps the exit status.
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

# _show_file LABEL FILE: FILE's first 4000 bytes under a "--- LABEL:" line.
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

# fail MSG: reports MSG with the last command, its exit code and output; exits 1.
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

# _need VAR: fails unless $VAR names an executable.
_need() {
    local var=$1
    if [[ -z "${!var:-}" || ! -x "${!var}" ]]; then
        echo "FAIL: \$$var must name an executable (it is '${!var:-}')" >&2
        exit 1
    fi
}

# expect_rc N: the last run exited with N.
expect_rc() {
    [[ "$RC" == "$1" ]] || fail "expected exit code $1, got $RC"
}

# expect_out_eq STR: stdout equals STR (trailing newlines ignored).
expect_out_eq() {
    local out
    out=$(cat "$T/out")
    [[ "$out" == "$1" ]] || fail "expected stdout to be '$1'"
}

# expect_out_exact STR: stdout is byte for byte STR.
expect_out_exact() {
    printf '%s' "$1" >"$T/expected"
    cmp -s "$T/expected" "$T/out" || fail "expected stdout to be exactly '$1' (byte for byte)"
}

# expect_out_contains STR: stdout contains STR.
expect_out_contains() {
    grep -qF -- "$1" "$T/out" || fail "expected stdout to contain '$1'"
}

# expect_out_not_contains STR: stdout does not contain STR.
expect_out_not_contains() {
    ! grep -qF -- "$1" "$T/out" || fail "expected stdout not to contain '$1'"
}

# expect_err_contains STR: stderr contains STR.
expect_err_contains() {
    grep -qF -- "$1" "$T/err" || fail "expected stderr to contain '$1'"
}

# expect_err_not_contains STR: stderr does not contain STR.
expect_err_not_contains() {
    ! grep -qF -- "$1" "$T/err" || fail "expected stderr not to contain '$1'"
}

# expect_out_empty: stdout is empty.
expect_out_empty() {
    [[ ! -s "$T/out" ]] || fail "expected stdout to be empty"
}

# expect_err_empty: stderr is empty.
expect_err_empty() {
    [[ ! -s "$T/err" ]] || fail "expected stderr to be empty"
}

# stderr_json_line: stderr is exactly one line, a JSON error of the upstream shape.
stderr_json_line() {
    local lines
    lines=$(wc -l <"$T/err")
    [[ "$lines" -eq 1 ]] || fail "expected exactly one line on stderr, got $lines"
    grep -qE '^\{"type"[[:space:]]*:[[:space:]]*"error"[[:space:]]*,[[:space:]]*"error"[[:space:]]*:[[:space:]]*\{"type"[[:space:]]*:[[:space:]]*"[a-z_]+"[[:space:]]*,[[:space:]]*"message"[[:space:]]*:[[:space:]]*"' "$T/err" ||
        fail "stderr is not one JSON error line of the upstream shape"
    grep -qE '\}[[:space:]]*$' "$T/err" || fail "the JSON error line is not closed"
}

# now_ms: the wall clock in milliseconds.
now_ms() {
    date +%s%3N
}

# expect_between N LO HI WHAT: LO <= N <= HI, else fails naming WHAT.
expect_between() {
    local n=$1 lo=$2 hi=$3 what=$4
    [[ "$n" =~ ^-?[0-9]+$ ]] || fail "$what: '$n' is not a number"
    ((n >= lo && n <= hi)) || fail "$what: $n is not within [$lo, $hi]"
}

# is_sanitizer_build: $BRIDGE was built with AddressSanitizer (whose shadow
# memory and allocator make peak RSS figures incomparable with a plain build).
is_sanitizer_build() { grep -qa '__asan_init' "$BRIDGE" 2>/dev/null; }
