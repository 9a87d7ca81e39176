#!/usr/bin/env bash
# docs/contract.md (the failover walk) --wait[=MAX]: on transient exhaustion whose soonest key is ready
# within MAX, sleep (saying so on stderr unless -q) and walk again from the
# first key; a MAX too short gives exit 75 at once.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

script='{"keys": {'
for p in W Q D; do
    script+='"sk-ant-test-wait-'$p'-first-Nm01": [{"status": 429, "headers": {"retry-after-ms": "1000"}}, {"text": "first key after the wait"}],'
    script+='"sk-ant-test-wait-'$p'-second-Nm2": [{"status": 429, "headers": {"retry-after-ms": "1000"}}, {"text": "second key after the wait"}],'
done
script+='"sk-ant-test-wait-Z-first-Nm01": {"status": 429, "headers": {"retry-after-ms": "600000"}},'
script+='"sk-ant-test-wait-Z-second-Nm2": {"status": 429, "headers": {"retry-after-ms": "600000"}},'
script+='"sk-ant-test-wait-L-only-Nm00001": {"status": 429, "headers": {"retry-after": "400"}}}}'
start_mock "$script"

# --- --wait=5 with a 1 s cooldown: waits, says so, walks again, succeeds --------
setup_pool "one sk-ant-test-wait-W-first-Nm01" "two sk-ant-test-wait-W-second-Nm2"
t0=$(now_ms)
run_pool ask --wait=5 "hi"
elapsed=$(($(now_ms) - t0))
expect_rc 0
expect_out_eq "first key after the wait"
expect_err_contains "wait"
# At least the cooldown (less what the first walk took); no upper window:
# a loaded machine may take any time, and the requests below prove the walk.
expect_between "$elapsed" 700 60000 "ms spent by --wait=5 on a 1 s cooldown"
expect_key_requests sk-ant-test-wait-W-first-Nm01 2
expect_key_requests sk-ant-test-wait-W-second-Nm2 1

# --- the same with -q (stream): nothing at all on stderr ---------------------------
setup_pool "one sk-ant-test-wait-Q-first-Nm01" "two sk-ant-test-wait-Q-second-Nm2"
STATE="$T/state-q/state.json"
run_pool stream -q --wait=5 "hi"
expect_rc 0
expect_out_eq "first key after the wait"
expect_err_empty

# --- a bare --wait (MAX 300 s) -------------------------------------------------------
setup_pool "one sk-ant-test-wait-D-first-Nm01" "two sk-ant-test-wait-D-second-Nm2"
STATE="$T/state-d/state.json"
run_pool ask --wait "hi"
expect_rc 0
expect_out_eq "first key after the wait"

# --- --wait=0.2 with a 10-minute cooldown: exit 75 at once -----------------------------
# A run that waited would be ended by run_bridge's guard (60 s, exit 124).
setup_pool "one sk-ant-test-wait-Z-first-Nm01" "two sk-ant-test-wait-Z-second-Nm2"
STATE="$T/state-z/state.json"
run_pool ask --wait=0.2 "hi"
expect_rc 75
expect_out_empty
# 600 s, less however long this machine took since (up to a minute)
grep -qE 'retry after (9m[0-5][0-9]s|10m00s)' "$T/err" || fail "no 'retry after 10m00s' (9mNNs on a slow machine)"
expect_key_requests sk-ant-test-wait-Z-first-Nm01 1
# --- a bare --wait with a cooldown beyond its 300 s: exit 75 at once ------------------------------
setup_pool "only sk-ant-test-wait-L-only-Nm00001"
STATE="$T/state-l/state.json"
t0=$(now_ms)
run_pool ask --wait "hi"
expect_rc 75
expect_fast $(($(now_ms) - t0)) 400000 "a bare --wait giving up on a 400 s cooldown"
echo "ok"
