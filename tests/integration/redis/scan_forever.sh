#!/usr/bin/env bash
# `keys reset --all` against a server whose SCAN never comes back to cursor
# 0: the walk is bounded by the size the server reports (DBSIZE), then it
# exits 69 saying what happened and how much was removed; SIGINT and
# SIGTERM end it at once (130, 143) while it walks.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_ONE=sk-ant-test-scan-forever-0001
start_mock '{"default": {"text": "served"}}'
setup_pool "one $K_ONE"

# ---- an empty database (DBSIZE 0) that SCANs for ever: the bound ----
# A long timeout: the bound, not the timeout, must end the walk.
start_hostile_redis scan-forever 0
STATE="redis://127.0.0.1:$HOSTILE_PORT?timeout=600000"
run_pool keys reset --all
expect_rc 69
expect_err_contains "cannot reset the marks on redis://127.0.0.1:$HOSTILE_PORT/0: SCAN did not come back to cursor 0 after 1000 calls"
expect_err_contains "nothing was removed"
expect_err_not_contains "cleared"
scans=$(grep -c '^SCAN' "$HOSTILE_RECORD" || true)
expect_between "$scans" 1000 1000 "SCAN calls made"

# ---- a server that claims a billion keys: only a signal ends it soon ----
start_hostile_redis scan-forever 1000000000
STATE="redis://127.0.0.1:$HOSTILE_PORT?timeout=600000"
for signal in INT TERM; do
    : >"$HOSTILE_RECORD"
    start_bridge keys reset --all --key-file "$KEYS" --state "$STATE"
    wait_until "$HANG_GUARD_S" "bridge is walking" grep -q '^SCAN' "$HOSTILE_RECORD"
    kill "-$signal" "$BRIDGE_PID"
    wait_bridge "$HANG_GUARD_S"
    if [[ $signal == INT ]]; then
        expect_rc 130
        expect_err_contains "interrupted (nothing was removed)"
    else
        expect_rc 143
        expect_err_contains "terminated (nothing was removed)"
    fi
done
echo "ok"
