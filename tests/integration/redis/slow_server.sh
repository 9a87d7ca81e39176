#!/usr/bin/env bash
# A Redis server that answers one byte every 50 ms never holds bridge past
# its timeout: the timeout bounds each exchange as a whole (not each read),
# then the documented fallback applies with its one warning. And SIGINT or
# SIGTERM end bridge at once while such a server dribbles (130, 143), as
# they do everywhere else in bridge.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_ONE=sk-ant-test-slow-redis-one-0001
start_mock '{"default": {"text": "served"}}'
start_hostile_redis dribble 50
setup_pool "one $K_ONE"

# ---- the timeout is a deadline: 250 ms, then the local state file ----
STATE="redis://127.0.0.1:$HOSTILE_PORT?timeout=250"
run_pool keys status
expect_rc 0
expect_err_contains "shared state redis://127.0.0.1:$HOSTILE_PORT/0: the answer was not complete within 250 ms"
expect_err_contains "using the local state file"
spent=$(sed -n 's/.*gave up after \([0-9]*\) ms.*/\1/p' "$T/err")
# What bridge reports is a number; the bound only catches the old behaviour
# (each byte restarted the timeout: the answer of a gigabyte never ended).
expect_between "$spent" 0 30000 "time lost to the dribbling server (ms)"
echo "keys status gave up on the dribbling server after $spent ms"
[[ -s "$HOSTILE_RECORD" ]] || fail "bridge never asked the hostile server anything"

run_pool ask --no-stdin "hi"
expect_rc 0
expect_out_eq "served"
expect_err_contains "the answer was not complete within 250 ms"

# ---- SIGINT and SIGTERM end a wait for Redis at once ----
# A timeout of ten minutes: only the signal can end these runs in time.
STATE="redis://127.0.0.1:$HOSTILE_PORT?timeout=600000"
for signal in INT TERM; do
    : >"$HOSTILE_RECORD"
    start_bridge keys status --key-file "$KEYS" --state "$STATE"
    # bridge is waiting for the answer once its request has arrived.
    wait_until "$HANG_GUARD_S" "bridge's request reached the server" test -s "$HOSTILE_RECORD"
    kill "-$signal" "$BRIDGE_PID"
    wait_bridge "$HANG_GUARD_S"
    if [[ $signal == INT ]]; then
        expect_rc 130
        expect_err_contains "interrupted"
    else
        expect_rc 143
        expect_err_contains "terminated"
    fi
    expect_err_not_contains "using the local state file"
done
echo "ok"
