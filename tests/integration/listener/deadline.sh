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

K1=sk-ant-deadline-one-Qw3rTy001
start_mock '{"keys": {"'$K1'": {"text": "served"}}}'
setup_pool "one $K1"
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" --idle-timeout 60 \
    --request-deadline 3 --max-connections 4

slow_clients loris 8 --gap-ms 300
expect_key_requests "$K1" 1 # the trickled requests never reached the upstream

# A kept-alive connection: one request served, then the next trickled.
slow_clients kept 2 --gap-ms 300 --keep-alive 1
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
slow_clients unix 8 --gap-ms 300
expect_key_requests "$K1" 4 # the three requests so far and the one beside them
stop_serve
[[ "$SERVE_RC" == 0 ]] || fail "serve exit $SERVE_RC"
