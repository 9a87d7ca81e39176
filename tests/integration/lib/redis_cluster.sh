# shellcheck shell=bash
# A real Redis Cluster on loopback, for the scenarios that need one; sourced
# by them after lib.sh.
#   start_redis_cluster MASTERS REPLICAS_PER_MASTER
#                         MASTERS * (1 + REPLICAS_PER_MASTER) redis-servers
#                         with --cluster-enabled yes on free 127.0.0.1 ports,
#                         a password (REDIS_PASSWORD; tests export
#                         REDISCLI_AUTH), joined by redis-cli --cluster create;
#                         returns once every node says cluster_state:ok and
#                         agrees on who owns every slot. Sets CLUSTER_PORTS
#                         (all nodes) and CLUSTER_PIDS (by port). Skips the
#                         scenario (exit 77, saying why) when redis-server has
#                         no cluster support. Killed when the test exits.
#   cluster_cli PORT ARGS...      redis-cli against one node, authenticated
#   cluster_owner KEY             the port of the master that owns KEY's slot
#   cluster_wait_ok               wait until every node that runs says
#                                 cluster_state:ok and they agree on the slots
#   stop_cluster_node PORT        SIGKILL one node and wait for it to end
CLUSTER_PORTS=()
declare -A CLUSTER_PIDS=()

cluster_cli() {
    local port=$1
    shift
    REDISCLI_AUTH="$REDIS_PASSWORD" timeout -k 2 20 redis-cli -h 127.0.0.1 -p "$port" "$@"
}

# _launch_cluster_node PORT: one node; 1 if it does not answer PING.
_launch_cluster_node() {
    local port=$1 dir="$T/cluster/$1" status=0
    _launch_redis_server "$port" "$dir" --cluster-enabled yes --cluster-config-file "$dir/nodes.conf" \
        --cluster-node-timeout 1000 --masterauth "$REDIS_PASSWORD" || status=$?
    CLUSTER_PIDS[$port]=$REDIS_LAUNCHED_PID
    _MOCK_PIDS["cluster-$port"]=${CLUSTER_PIDS[$port]}
    return "$status"
}

# _cluster_agrees PORT...: each node says cluster_state:ok, and all of them
# give the same owner for every slot range.
_cluster_agrees() {
    local port first=
    for port in "$@"; do
        cluster_cli "$port" CLUSTER INFO 2>/dev/null | grep -q '^cluster_state:ok' || return 1
        local slots
        slots=$(cluster_cli "$port" CLUSTER SLOTS 2>/dev/null | tr '\n' ' ')
        [[ -n "$slots" ]] || return 1
        if [[ -z "$first" ]]; then
            first=$slots
        elif [[ "$slots" != "$first" ]]; then
            return 1
        fi
    done
}

cluster_wait_ok() {
    local ports=() port
    for port in "${CLUSTER_PORTS[@]}"; do
        kill -0 "${CLUSTER_PIDS[$port]}" 2>/dev/null && ports+=("$port")
    done
    wait_until "$HANG_GUARD_S" "the cluster is ok on ${ports[*]}" _cluster_agrees "${ports[@]}"
}

start_redis_cluster() {
    local masters=$1 replicas=$2 count attempt port i
    command -v redis-server >/dev/null || fail "redis-server is not installed (.ci/install-deps --test)"
    REDIS_PASSWORD="pw-$RANDOM$RANDOM-cluster"
    count=$((masters * (1 + replicas)))
    for ((attempt = 0; attempt < 20; attempt++)); do
        # The cluster bus listens on PORT + 10000: both must be free.
        local base=$((20000 + RANDOM % 30000)) ok=1
        CLUSTER_PORTS=()
        for ((i = 0; i < count; i++)); do
            port=$((base + i))
            CLUSTER_PORTS+=("$port")
            if ! _launch_cluster_node "$port"; then
                if grep -q "cluster" "$T/cluster/$port/redis.log" 2>/dev/null &&
                    grep -qiE "unrecognized|bad directive" "$T/cluster/$port/redis.log"; then
                    echo "skipped: this redis-server has no cluster support ($(redis-server --version))"
                    exit 77
                fi
                ok=0
                break
            fi
        done
        ((ok)) && break
        for port in "${CLUSTER_PORTS[@]}"; do
            _stop_pid "${CLUSTER_PIDS[$port]:-0}"
        done
    done
    ((ok)) || fail "could not start $count cluster nodes"
    if cluster_cli "${CLUSTER_PORTS[0]}" CLUSTER INFO 2>&1 | grep -qi "cluster support disabled"; then
        echo "skipped: this redis-server has no cluster support ($(redis-server --version))"
        exit 77
    fi
    local nodes=()
    for port in "${CLUSTER_PORTS[@]}"; do
        nodes+=("127.0.0.1:$port")
    done
    REDISCLI_AUTH="$REDIS_PASSWORD" timeout -k 2 "$HANG_GUARD_S" redis-cli --cluster create \
        "${nodes[@]}" --cluster-replicas "$replicas" --cluster-yes >"$T/cluster/create.log" 2>&1 ||
        fail "redis-cli --cluster create failed: $(tail -5 "$T/cluster/create.log")"
    cluster_wait_ok
}

# cluster_owner KEY: the port of the master that owns KEY's slot now.
cluster_owner() {
    local key=$1 slot line
    slot=$(cluster_cli "${CLUSTER_PORTS[0]}" CLUSTER KEYSLOT "$key")
    # CLUSTER SHARDS would be simpler but is 7.0+; CLUSTER NODES is older:
    #   id ip:port@bus flags master ping pong epoch state slot-ranges...
    for port in "${CLUSTER_PORTS[@]}"; do
        kill -0 "${CLUSTER_PIDS[$port]}" 2>/dev/null || continue
        while read -r line; do
            local fields
            read -ra fields <<<"$line"
            [[ ${fields[2]} == *master* && ${fields[2]} != *fail* ]] || continue
            local range
            for range in "${fields[@]:8}"; do
                [[ $range == \[* ]] && continue
                local lo=${range%-*} hi=${range#*-}
                if ((slot >= lo && slot <= hi)); then
                    local owner=${fields[1]%@*}
                    echo "${owner##*:}"
                    return 0
                fi
            done
        done < <(cluster_cli "$port" CLUSTER NODES)
        return 1
    done
    return 1
}

stop_cluster_node() {
    local port=$1
    kill -KILL "${CLUSTER_PIDS[$port]}" 2>/dev/null || true
    wait "${CLUSTER_PIDS[$port]}" 2>/dev/null || true
    unset "_MOCK_PIDS[cluster-$port]"
}
