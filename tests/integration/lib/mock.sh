# shellcheck shell=bash
# The mock upstream (tests/mock): starting and stopping it, what it saw.
#   start_mock SCRIPT_JSON [NAME]   start a mock; exports MOCK_URL (or MOCK_URL_NAME);
#                                   the unnamed mock is also the base URL in effect
#                                   (ANTHROPIC_BASE_URL, OPENAI_BASE_URL), so that keys
#                                   status and keys reset read the marks learned from it
#   stop_mock [NAME]                stop it (its port then refuses connections)
#   mock_url [NAME]                 print its base URL
#   mock_log [NAME]                 print the path of its JSON Lines request log
#   mock_stats [NAME]               print {"requests":N,"connections":C,"by_key":{..},"by_path":{..}}
#   mock_requests / mock_connections [NAME]    print one figure from the stats
#   mock_key_requests KEY [NAME]    print how many requests carried x-api-key KEY
#   expect_requests N [NAME] / expect_connections N [NAME] / expect_key_requests KEY N [NAME]
#   expect_mock_log_contains STR [NAME] / expect_mock_log_not_contains STR [NAME]
#   wait_for_key_requests KEY N [SECS] [NAME]   poll until the mock saw N requests with KEY

# _mock_suffix [NAME]: "-NAME" for a named mock (letters, digits, _), else nothing.
_mock_suffix() {
    local name=${1:-}
    [[ -z "$name" ]] && return 0
    if [[ ! "$name" =~ ^[A-Za-z0-9_]+$ ]]; then
        echo "FAIL: mock name '$name' must be letters, digits or _" >&2
        exit 1
    fi
    printf -- '-%s' "$name"
}

# start_mock SCRIPT_JSON [NAME]: starts bridge-mock with SCRIPT_JSON and waits
# for its port; exports MOCK_URL (or MOCK_URL_NAME).
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
        # Marks belong to the host they were learned from (docs/marks.md):
        # a command run without --base-url reads those of this mock.
        export MOCK_URL=$url ANTHROPIC_BASE_URL=$url OPENAI_BASE_URL=$url/v1
    else
        export "MOCK_URL_$name=$url"
    fi
}

# stop_mock [NAME]: stops the mock (its port then refuses connections).
stop_mock() {
    local name=${1:-}
    local pid=${_MOCK_PIDS[${name:-.}]:-}
    [[ -n "$pid" ]] || fail "stop_mock: no mock named '${name}'"
    _stop_pid "$pid"
    unset "_MOCK_PIDS[${name:-.}]"
}

# mock_url [NAME]: prints the base URL of the mock.
mock_url() {
    local name=${1:-}
    local url=${_MOCK_URLS[${name:-.}]:-}
    [[ -n "$url" ]] || fail "no mock named '${name}' was started"
    printf '%s\n' "$url"
}

# mock_log [NAME]: prints the path of the mock's JSON Lines request log.
mock_log() {
    local suffix
    suffix=$(_mock_suffix "${1:-}")
    printf '%s\n' "$T/mock$suffix.log"
}

# mock_stats [NAME]: prints the mock's /__mock/stats JSON.
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

# mock_requests [NAME]: how many requests the mock has seen.
mock_requests() {
    local stats
    stats=$(mock_stats "${1:-}")
    _stat_number "$stats" requests
}

# mock_connections [NAME]: how many connections the mock has accepted.
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

# expect_requests N [NAME]: the mock has seen exactly N requests.
expect_requests() {
    local got
    got=$(mock_requests "${2:-}")
    [[ "$got" == "$1" ]] || fail "expected mock '${2:-}' to have seen $1 requests, it saw $got: $(mock_stats "${2:-}")"
}

# expect_connections N [NAME]: the mock has accepted exactly N connections.
expect_connections() {
    local got
    got=$(mock_connections "${2:-}")
    [[ "$got" == "$1" ]] || fail "expected mock '${2:-}' to have seen $1 connections, it saw $got: $(mock_stats "${2:-}")"
}

# expect_key_requests KEY N [NAME]: exactly N requests carried KEY.
expect_key_requests() {
    local got
    got=$(mock_key_requests "$1" "${3:-}")
    [[ "$got" == "$2" ]] || fail "expected $2 requests with key '$1' at mock '${3:-}', got $got: $(mock_stats "${3:-}")"
}

# expect_mock_log_contains STR [NAME]: the mock's request log contains STR.
expect_mock_log_contains() {
    grep -qF -- "$1" "$(mock_log "${2:-}")" ||
        fail "expected the request log of mock '${2:-}' to contain '$1'; it holds: $(head -c 3000 "$(mock_log "${2:-}")")"
}

# expect_mock_log_not_contains STR [NAME]: the mock's request log lacks STR.
expect_mock_log_not_contains() {
    ! grep -qF -- "$1" "$(mock_log "${2:-}")" 2>/dev/null ||
        fail "expected the request log of mock '${2:-}' not to contain '$1'"
}

# wait_for_key_requests KEY N [SECS] [NAME]: until the mock has seen N requests with KEY.
wait_for_key_requests() {
    local key=$1 n=$2 secs=${3:-$HANG_GUARD_S} name=${4:-} i
    for ((i = 0; i < secs * 20; i++)); do
        (($(mock_key_requests "$key" "$name") >= n)) && return 0
        sleep 0.05
    done
    fail "the mock did not see $n requests with key $key within $secs s: $(mock_stats "$name")"
}
