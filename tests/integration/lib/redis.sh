# shellcheck shell=bash
# A real redis-server for the shared-state scenarios (never a mock).
#   start_redis                 redis-server on a free 127.0.0.1 port, with a
#                               password, and on a unix socket; sets REDIS_PID,
#                               REDIS_PORT, REDIS_SOCK, REDIS_PASSWORD and
#                               REDIS_URL (no password: tests export
#                               REDISCLI_AUTH). Killed when the test exits.
#   stop_redis [SIGNAL]         send SIGNAL (default KILL) and wait for it to end
#   restart_redis               start it again on the same port and socket
#   redis_cli ARGS...           redis-cli against it, authenticated
#   redis_marks PREFIX [ARGS...] one line per mark stored under PREFIX (ARGS go to
#                               redis_cli, e.g. -n DB), ended ones included: the
#                               fingerprint, then the stored line (scope, kind,
#                               status, since_ms, delay_ms, label, hint, reason),
#                               TAB-separated (docs/redis.md, "Layout")
#   redis_mark_left PREFIX FP SCOPE [ARGS...]
#                               ms that mark has left on the server's clock: -1
#                               disabled, -2 none or ended
#   shared_pool LINE...         setup_pool, with the state ($STATE) the Redis URL
#                               in $SHARED (set by the scenario)
#   start_hostile_redis MODE [ARG] [OPTION...]
#                               bridge-hostile-redis (tests/tools/hostile_redis.cpp)
#                               in MODE on a free 127.0.0.1 port, recording what it
#                               receives; sets HOSTILE_PORT, HOSTILE_PID and
#                               HOSTILE_RECORD. Stopped when the test exits.
#   REDIS_TIMEOUT_MS            a ?timeout= for URLs of a server that works: on a
#                               loaded machine the 250 ms default may pass before
#                               the answer (the default is for redis/faults.sh)
REDIS_PID=
REDIS_PORT=
REDIS_SOCK=
REDIS_PASSWORD=
REDIS_URL=
REDIS_TIMEOUT_MS=10000

# _launch_redis_server PORT DIR [OPTION...]: a redis-server on 127.0.0.1:PORT
# with the password $REDIS_PASSWORD, its files in DIR, and OPTIONs; sets
# REDIS_LAUNCHED_PID (also when it fails); 1 if it does not answer PING.
# Shared by start_redis and the Cluster's nodes (redis_cluster.sh).
REDIS_LAUNCHED_PID=
_launch_redis_server() {
    local port=$1 dir=$2 i
    shift 2
    mkdir -p "$dir"
    redis-server --bind 127.0.0.1 --port "$port" --requirepass "$REDIS_PASSWORD" --save '' \
        --appendonly no --dir "$dir" --logfile "$dir/redis.log" --daemonize no "$@" \
        </dev/null >/dev/null 2>&1 &
    REDIS_LAUNCHED_PID=$!
    for ((i = 0; i < 200; i++)); do
        if REDISCLI_AUTH="$REDIS_PASSWORD" timeout -k 2 20 redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null |
            grep -q PONG; then
            return 0
        fi
        kill -0 "$REDIS_LAUNCHED_PID" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# _launch_redis: redis-server on $REDIS_PORT and $REDIS_SOCK; 1 if it does not answer.
_launch_redis() {
    local status=0
    _launch_redis_server "$REDIS_PORT" "$T/redis" --unixsocket "$REDIS_SOCK" --unixsocketperm 700 ||
        status=$?
    REDIS_PID=$REDIS_LAUNCHED_PID
    return "$status"
}

# start_redis: redis-server on a free port with a password; sets REDIS_*.
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

# stop_redis [SIGNAL]: sends SIGNAL (default KILL) and waits for the server to end.
stop_redis() {
    local signal=${1:-KILL}
    [[ -n "$REDIS_PID" ]] || return 0
    kill -CONT "$REDIS_PID" 2>/dev/null || true
    kill "-$signal" "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=
}

# restart_redis: starts the server again on the same port and socket.
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

# redis_cli ARGS...: redis-cli against the test's server, authenticated.
redis_cli() {
    REDISCLI_AUTH="$REDIS_PASSWORD" timeout -k 2 20 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

# redis_marks PREFIX [ARGS...]: see the header of this file.
redis_marks() {
    local prefix=$1
    shift
    # shellcheck disable=SC2016
    redis_cli "$@" EVAL 'local out = {}
        local h = redis.call("HGETALL", KEYS[1])
        for i = 1, #h, 2 do
          for line in string.gmatch(h[i + 1], "[^\n]+") do out[#out + 1] = h[i] .. "\t" .. line end
        end
        return out' 1 "${prefix}{pool}:marks" | grep -v '^$' || true
}

# redis_mark_left PREFIX FP SCOPE [ARGS...]: see the header of this file.
redis_mark_left() {
    local prefix=$1 fp=$2 scope=$3 line kind since delay now left
    shift 3
    line=$(redis_marks "$prefix" "$@" | awk -F'\t' -v fp="$fp" -v s="$scope" '$1 == fp && $2 == s')
    [[ -n "$line" ]] || { echo -2; return 0; }
    IFS=$'\t' read -r _ _ kind _ since delay _ <<<"$line"
    [[ $kind != disabled ]] || { echo -1; return 0; }
    now=$(redis_cli "$@" TIME | awk 'NR == 1 { s = $1 } NR == 2 { printf "%.0f", s * 1000 + int($1 / 1000) }')
    left=$((since + delay - now))
    ((left > 0)) || left=-2
    echo "$left"
}

# shared_pool LINE...: setup_pool (key file $KEYS), then the state is the
# shared Redis URL $SHARED instead of the file setup_pool points STATE at.
shared_pool() {
    setup_pool "$@"
    STATE=$SHARED
}

HOSTILE_PORT=
HOSTILE_PID=
HOSTILE_RECORD=

# start_hostile_redis MODE [ARG] [OPTION...]: see the header of this file.
start_hostile_redis() {
    local mode=$1 arg=${2:--1}
    shift $(($# < 2 ? $# : 2))
    [[ -x "${BRIDGE_HOSTILE_REDIS:-}" ]] || fail "\$BRIDGE_HOSTILE_REDIS must name bridge-hostile-redis"
    HOSTILE_RECORD="$T/hostile-$mode.received"
    : >"$HOSTILE_RECORD"
    rm -f "$T/hostile.port"
    "$BRIDGE_HOSTILE_REDIS" --mode "$mode" --arg "$arg" --port-file "$T/hostile.port" \
        --record "$HOSTILE_RECORD" "$@" 2>"$T/hostile.err" &
    HOSTILE_PID=$!
    _MOCK_PIDS["hostile-$HOSTILE_PID"]=$HOSTILE_PID
    wait_for_file "$T/hostile.port"
    HOSTILE_PORT=$(cat "$T/hostile.port")
}
