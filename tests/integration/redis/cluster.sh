#!/usr/bin/env bash
# Shared state on a real Redis Cluster: three masters, each with a replica
# (redis-server --cluster-enabled yes, joined by redis-cli --cluster create).
# bridge is pointed at a master that does NOT own the pool's slot, so that
# every command starts with a MOVED:
#   - marks made by `ask` and `stream` on machine A land on the slot's owner
#     and are seen by machine B's walk and `keys status`; no warning, no
#     local state file;
#   - `keys reset LABEL` and `keys reset --all` (its SCAN on the owner);
#   - a slot migration in progress (MIGRATING / IMPORTING, the keys moved by
#     MIGRATE): the source answers ASK, and bridge reads and records on the
#     target after ASKING;
#   - a manual failover (CLUSTER FAILOVER on the owner's replica): no
#     warning at all; a master killed: at most one warning while the cluster
#     elects its replica, then none, with the marks still there.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/redis_cluster.sh
source "$(dirname "$0")/../lib/redis_cluster.sh"

K_RATE=sk-ant-test-cluster-rate-Qw41
K_DEAD=sk-ant-test-cluster-dead-Qw42
K_GOOD=sk-ant-test-cluster-good-Qw43
start_mock '{"keys": {
  "'$K_RATE'": {"status": 429, "headers": {"retry-after": "3000"}},
  "'$K_DEAD'": {"status": 401},
  "'$K_GOOD'": {"text": "served"}}}'
start_redis_cluster 3 1
export REDISCLI_AUTH=$REDIS_PASSWORD
machine A
machine B

PREFIX=cl:
SLOT_KEY="${PREFIX}{pool}:x"
SLOT=$(cluster_cli "${CLUSTER_PORTS[0]}" CLUSTER KEYSLOT "$SLOT_KEY")
OWNER=$(cluster_owner "$SLOT_KEY") || fail "no owner of slot $SLOT"
# The masters are the first three nodes (redis-cli --cluster create).
SEED=
for port in "${CLUSTER_PORTS[@]:0:3}"; do
    [[ $port != "$OWNER" ]] && SEED=$port && break
done
# The seed really redirects: a plain client is sent elsewhere.
[[ "$(cluster_cli "$SEED" EXISTS "$SLOT_KEY" 2>&1)" == *MOVED* ]] ||
    fail "node $SEED does not redirect for slot $SLOT"

# no_warning WHAT: bridge's last run gave no warning about the shared state
# (a fallback warns "shared state ...: ...; using the local state file").
no_warning() {
    expect_err_not_contains "shared state"
    [[ ! -e "$(machine_state A)" && ! -e "$(machine_state B)" ]] ||
        fail "$1: a local state file was written while the cluster answered"
}
# marks_on PORT: how many marks of the pool node PORT holds (ASKING: the
# importing node of a migration answers for what it holds).
marks_on() {
    [[ -n "$(cluster_cli "$1" --scan --pattern "${PREFIX}{pool}:marks")" ]] || { echo 0; return 0; }
    printf 'ASKING\nHVALS %s\n' "${PREFIX}{pool}:marks" | cluster_cli "$1" | tail -n +2 | grep -c . || true
}
# node_id PORT: the cluster id of node PORT.
node_id() {
    cluster_cli "$1" CLUSTER MYID
}
# owner_is PORT: node PORT is the master of the pool's slot now.
owner_is() {
    [[ "$(cluster_owner "$SLOT_KEY")" == "$1" ]]
}
# replica_of PORT: the port of the replica of master PORT.
replica_of() {
    local id line fields
    id=$(node_id "$1")
    while read -r line; do
        read -ra fields <<<"$line"
        if [[ ${fields[3]} == "$id" && ${fields[2]} == *slave* ]]; then
            local address=${fields[1]%@*}
            echo "${address##*:}"
            return 0
        fi
    done < <(cluster_cli "$1" CLUSTER NODES)
    return 1
}

# ---- marks through a MOVED: stream and ask on A, seen by B ----
setup_pool "rate $K_RATE" "dead $K_DEAD" "good $K_GOOD"
STATE="redis://127.0.0.1:$SEED/0?prefix=$PREFIX&timeout=$REDIS_TIMEOUT_MS"
on_machine A run_pool stream "hi"
expect_rc 0
expect_out_contains "served"
no_warning "stream"
expect_key_requests "$K_RATE" 1
expect_key_requests "$K_DEAD" 1
[[ $(marks_on "$OWNER") -eq 2 ]] || fail "the owner $OWNER holds $(marks_on "$OWNER") marks, not 2"
[[ $(marks_on "$SEED") -eq 0 ]] || fail "the seed $SEED holds marks"

on_machine B run_pool ask -v "hi"
expect_rc 0
expect_out_eq "served"
no_warning "B's ask"
expect_key_requests "$K_RATE" 1
expect_key_requests "$K_DEAD" 1
on_machine B keys_status
[[ $STATUS_RC -eq 0 ]] || fail "keys status exit $STATUS_RC: $(cat "$T/status.err")"
[[ "$(_object_of_label "$T/status.json" rate | json_field state)" == cooling ]] || fail "B does not see A's cooldown: $(cat "$T/status.json")"
[[ "$(_object_of_label "$T/status.json" dead | json_field state)" == disabled ]] || fail "B does not see A's disabled mark: $(cat "$T/status.json")"
grep -q "shared state" "$T/status.err" && fail "keys status warned: $(cat "$T/status.err")"

# ---- keys reset through a MOVED; ask records again ----
on_machine B run_pool keys reset rate
expect_rc 0
expect_err_contains "cleared 1 mark"
no_warning "keys reset"
[[ $(marks_on "$OWNER") -eq 1 ]] || fail "keys reset left $(marks_on "$OWNER") marks on $OWNER"
on_machine A run_pool ask "hi"
expect_rc 0
expect_out_eq "served"
no_warning "ask"
expect_key_requests "$K_RATE" 2
[[ $(marks_on "$OWNER") -eq 2 ]] || fail "ask's mark did not reach the owner $OWNER"

# ---- a slot migration in progress: ASK ----
TARGET=
for port in "${CLUSTER_PORTS[@]:0:3}"; do
    [[ $port != "$OWNER" && $port != "$SEED" ]] && TARGET=$port
done
cluster_cli "$TARGET" CLUSTER SETSLOT "$SLOT" IMPORTING "$(node_id "$OWNER")" >/dev/null
cluster_cli "$OWNER" CLUSTER SETSLOT "$SLOT" MIGRATING "$(node_id "$TARGET")" >/dev/null
mapfile -t slot_keys < <(cluster_cli "$OWNER" CLUSTER GETKEYSINSLOT "$SLOT" 1000)
((${#slot_keys[@]} > 0)) || fail "no keys in slot $SLOT to migrate"
moved=$(cluster_cli "$OWNER" MIGRATE 127.0.0.1 "$TARGET" "" 0 10000 AUTH "$REDIS_PASSWORD" KEYS "${slot_keys[@]}")
[[ $moved == OK ]] || fail "MIGRATE: $moved"
[[ "$(cluster_cli "$OWNER" EXISTS "${PREFIX}{pool}:scopes:x" 2>&1)" == *ASK* ]] ||
    fail "the owner does not answer ASK during the migration"

# Every key the script is given is on the importing node: ASK, then ASKING
# and the script there. (A key file of the marked keys only: a script given
# a key that exists nowhere gets TRYAGAIN during a migration, below.)
KEYS=$(write_key_file "rate $K_RATE" "dead $K_DEAD")
on_machine B keys_status
# 75: no key of this file is usable now, which is what it reports.
[[ $STATUS_RC -eq 75 ]] || fail "keys status during the migration exit $STATUS_RC: $(cat "$T/status.err")"
grep -q "shared state" "$T/status.err" && fail "keys status during the migration warned: $(cat "$T/status.err")"
[[ "$(_object_of_label "$T/status.json" dead | json_field state)" == disabled ]] ||
    fail "the migrated disabled mark is not seen through ASK: $(cat "$T/status.json")"
[[ "$(_object_of_label "$T/status.json" rate | json_field state)" == cooling ]] ||
    fail "the migrated cooldown is not seen through ASK: $(cat "$T/status.json")"
on_machine B run_pool keys reset rate
expect_rc 0
expect_err_contains "cleared 1 mark"
no_warning "keys reset during the migration"
[[ $(marks_on "$TARGET") -eq 1 ]] || fail "keys reset through ASK left $(marks_on "$TARGET") marks on $TARGET"

# The whole pool: its load names keys that exist nowhere yet, so the
# importing node answers TRYAGAIN until the migration ends; bridge asks
# again within its timeout, and the migration ends meanwhile: no warning,
# and the new mark lands on the new owner.
KEYS=$(write_key_file "rate $K_RATE" "dead $K_DEAD" "good $K_GOOD")
tryagain() {
    cluster_cli "$TARGET" INFO errorstats | tr -d '\r' | sed -n 's/^errorstat_TRYAGAIN:count=//p'
}
TRYAGAIN_BEFORE=$(tryagain)
tried_again() { (($(tryagain) > ${TRYAGAIN_BEFORE:-0})); }
# A minute: the window in which the test ends the migration, not a bound
# that bridge is expected to come near.
on_machine A start_bridge ask --key-file "$KEYS" --state "${STATE/timeout=$REDIS_TIMEOUT_MS/timeout=60000}" \
    --base-url "$MOCK_URL" "hi"
wait_until "$HANG_GUARD_S" "bridge was answered TRYAGAIN" tried_again
# The order redis-cli follows: the new owner first, then the old one.
for port in "$TARGET" "$OWNER" "$SEED"; do
    cluster_cli "$port" CLUSTER SETSLOT "$SLOT" NODE "$(node_id "$TARGET")" >/dev/null
done
on_machine A wait_bridge
expect_rc 0
expect_out_eq "served"
no_warning "ask during the migration"
expect_key_requests "$K_RATE" 3
[[ $(marks_on "$TARGET") -eq 2 ]] || fail "the new owner $TARGET holds $(marks_on "$TARGET") marks, not 2"
[[ $(marks_on "$OWNER") -eq 0 ]] || fail "a mark was written to the old owner $OWNER"
cluster_wait_ok
OWNER=$TARGET
[[ "$(cluster_owner "$SLOT_KEY")" == "$OWNER" ]] || fail "the slot did not move to $OWNER"

on_machine B keys_status
[[ "$(_object_of_label "$T/status.json" rate | json_field state)" == cooling ]] || fail "after the migration: $(cat "$T/status.json")"
[[ "$(_object_of_label "$T/status.json" dead | json_field state)" == disabled ]] || fail "after the migration: $(cat "$T/status.json")"

# ---- a manual failover: the replica takes over, no warning ----
REPLICA=$(replica_of "$OWNER") || fail "master $OWNER has no replica"
cluster_cli "$OWNER" WAIT 1 10000 >/dev/null
cluster_cli "$REPLICA" CLUSTER FAILOVER >/dev/null
wait_until "$HANG_GUARD_S" "replica $REPLICA took over slot $SLOT" \
    owner_is "$REPLICA"
cluster_wait_ok
on_machine B keys_status
grep -q "shared state" "$T/status.err" && fail "keys status after a manual failover warned: $(cat "$T/status.err")"
[[ "$(_object_of_label "$T/status.json" dead | json_field state)" == disabled ]] ||
    fail "after a manual failover: $(cat "$T/status.json")"
OLD=$OWNER
OWNER=$REPLICA

# ---- the owner killed: at most one warning, then none ----
cluster_cli "$OWNER" WAIT 1 10000 >/dev/null
stop_cluster_node "$OWNER"
on_machine B run_pool ask "hi"
expect_rc 0
expect_out_eq "served"
warnings=$(grep -c "shared state" "$T/err" || true)
((warnings <= 1)) || fail "$warnings warnings while the master was down: $(cat "$T/err")"
wait_until "$HANG_GUARD_S" "the replica $OLD took over slot $SLOT" \
    owner_is "$OLD"
cluster_wait_ok
rm -f "$(machine_state A)" "$(machine_state B)"
on_machine A keys_status
grep -q "shared state" "$T/status.err" && fail "keys status after the failover warned: $(cat "$T/status.err")"
[[ "$(_object_of_label "$T/status.json" dead | json_field state)" == disabled ]] ||
    fail "the disabled mark did not survive the failover: $(cat "$T/status.json")"

# ---- keys reset --all: SCAN on the owner, not on the seed ----
on_machine A run_pool keys reset --all
expect_rc 0
expect_err_contains "cleared 2 marks"
expect_err_not_contains "shared state"
[[ $(marks_on "$OLD") -eq 0 ]] || fail "keys reset --all left marks on the owner"
echo "ok"
