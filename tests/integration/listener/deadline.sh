#!/usr/bin/env bash
# docs/contract.md ("The pool behind any tool") and docs/security.md ("The
# listener: request deadline and unix socket"): a client that trickles its
# request's head faster than --idle-timeout is dropped at
# --request-deadline. bridge-hostile-client opens more such connections
# than --max-connections and sends one header byte on each every 0.3 s;
# the idle timeout (60 s) never runs out, so only the deadline can drop
# them: they are all closed by the listener before the hang guard (without
# the deadline each would go on until its head reached 64 KiB, hours), the
# well-formed request sent beside them is served, and none of theirs
# reached the upstream. The same for a kept-alive connection whose first
# request was answered (401, without the token: its deadline runs again from
# that answer; the client checks the listener did not simply close it after
# the answer) and over a unix socket.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/listener.sh
source "$(dirname "$0")/../lib/listener.sh"
[[ -x "${BRIDGE_HOSTILE_CLIENT:-}" ]] || fail "\$BRIDGE_HOSTILE_CLIENT must name bridge-hostile-client"

K1=sk-ant-deadline-one-Qw3rTy001
start_mock '{"keys": {"'$K1'": {"text": "served"}}}'
setup_pool "one $K1"
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" --idle-timeout 60 \
    --request-deadline 3 --max-connections 4
port=${A_URL##*:}
port=${port%%/*}

rc=0
"$BRIDGE_HOSTILE_CLIENT" slowloris --port "$port" --count 8 --gap-ms 300 \
    --token-file "$T/token" --guard-s "$HANG_GUARD_S" >"$T/loris.out" 2>&1 || rc=$?
cat "$T/loris.out"
grep -q '^served 200 while' "$T/loris.out" || fail "the request beside the slow clients was not served"
grep -q '^dropped 8 of 8 slow clients' "$T/loris.out" || fail "trickling clients were not all dropped"
((rc == 0)) || fail "bridge-hostile-client slowloris: exit $rc"
expect_key_requests "$K1" 1 # the trickled requests never reached the upstream

# A kept-alive connection: one request served, then the next trickled.
rc=0
"$BRIDGE_HOSTILE_CLIENT" slowloris --port "$port" --count 2 --gap-ms 300 --keep-alive 1 \
    --token-file "$T/token" --guard-s "$HANG_GUARD_S" >"$T/kept.out" 2>&1 || rc=$?
cat "$T/kept.out"
grep -q '^dropped 2 of 2 slow clients' "$T/kept.out" || fail "kept-alive trickling clients were not dropped"
((rc == 0)) || fail "bridge-hostile-client slowloris --keep-alive: exit $rc"
expect_key_requests "$K1" 2 # the two requests served beside them, nothing trickled

kill -0 "$BRIDGE_PID" || fail "the listener died"
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d '{"model":"claude-sonnet-4-5"}'
[[ "$CODE" == 200 ]] || fail "after the trickling clients: status $CODE"
stop_serve
[[ "$SERVE_RC" == 0 ]] || fail "serve exit $SERVE_RC"

# Over a unix socket.
SERVE_LISTEN=unix:$T/bridge.sock
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" --idle-timeout 60 \
    --request-deadline 3 --max-connections 4
rc=0
"$BRIDGE_HOSTILE_CLIENT" slowloris --unix "$UNIX_SOCKET" --count 8 --gap-ms 300 \
    --token-file "$T/token" --guard-s "$HANG_GUARD_S" >"$T/unix.out" 2>&1 || rc=$?
cat "$T/unix.out"
grep -q '^served 200 while' "$T/unix.out" || fail "unix: the request beside the slow clients was not served"
grep -q '^dropped 8 of 8 slow clients' "$T/unix.out" || fail "unix: trickling clients were not all dropped"
((rc == 0)) || fail "bridge-hostile-client slowloris --unix: exit $rc"
expect_key_requests "$K1" 4 # the three requests so far and the one beside them
stop_serve
[[ "$SERVE_RC" == 0 ]] || fail "serve exit $SERVE_RC"
