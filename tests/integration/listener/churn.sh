#!/usr/bin/env bash
# docs/contract.md ("The pool behind any tool"): 10,000 connections opened
# and dropped (at once, after half a request line, after a whole request
# without the token and without reading its answer, after half a header
# with a reset) leave the listener as it was: it answers a request without
# the token 401 after every 200 of them and the next request with it 200,
# none of them reached the upstream, and its open descriptors
# (/proc/PID/fd) are back to the count before them.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/listener.sh
source "$(dirname "$0")/../lib/listener.sh"
[[ -x "${BRIDGE_HOSTILE_CLIENT:-}" ]] || fail "\$BRIDGE_HOSTILE_CLIENT must name bridge-hostile-client"

K1=sk-ant-churn-one-Qw3rTy000001
start_mock '{"keys": {"'$K1'": {"text": "still here"}}}'
setup_pool "one $K1"
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL"
port=${A_URL##*:}
port=${port%%/*}
fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l; }

# One request first, so that what a served request leaves open (a kept-alive
# connection to the upstream) is in the baseline.
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d '{"model":"claude-sonnet-4-5"}'
[[ "$CODE" == 200 ]] || fail "before: status $CODE"
base=$(fd_count "$BRIDGE_PID")

rc=0
"$BRIDGE_HOSTILE_CLIENT" churn --port "$port" --count 10000 --batch 200 >"$T/churn.out" 2>&1 || rc=$?
cat "$T/churn.out"
((rc == 0)) || fail "bridge-hostile-client churn: exit $rc"
grep -q '^dropped 10000 connections' "$T/churn.out" || fail "the churn did not finish"

kill -0 "$BRIDGE_PID" || fail "the listener died"
fds_back() { (($(fd_count "$BRIDGE_PID") <= base)); }
wait_until "$HANG_GUARD_S" "the listener's descriptors back to $base (now $(fd_count "$BRIDGE_PID"))" fds_back
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d '{"model":"claude-sonnet-4-5"}'
[[ "$CODE" == 200 ]] || fail "after the churn: status $CODE"
grep -q 'still here' "$T/body" || fail "after the churn: $(cat "$T/body")"
expect_key_requests "$K1" 2
stop_serve
[[ "$SERVE_RC" == 0 ]] || fail "serve exit $SERVE_RC"
