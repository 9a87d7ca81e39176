#!/usr/bin/env bash
# docs/contract.md ("The pool behind any tool"): a client that trickles its
# headers slower than --idle-timeout is dropped. bridge-hostile-client opens
# more such connections than --max-connections, sends a well-formed request
# of its own while they are open (it is served: a connection that has not
# sent a whole request holds no place), then trickles one header byte on
# each every 5 s until the listener has closed them all (each is closed at
# its first silence longer than the 1 s idle timeout). The listener goes on
# serving. The gap is five times the timeout, and the client does not count
# on one gap: should a loaded machine starve the listener's loop for
# seconds and let a byte through before the timeout is seen, that
# connection is dropped at a later silence, and only the hang guard bounds
# the whole. --request-deadline is an hour, so that only the idle timeout
# can drop them here; a client that trickles faster than the idle timeout
# is deadline.sh's.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/listener.sh
source "$(dirname "$0")/../lib/listener.sh"
K1=sk-ant-loris-one-Qw3rTy000001
start_mock '{"keys": {"'$K1'": {"text": "served"}}}'
setup_pool "one $K1"
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" --idle-timeout 1 \
    --request-deadline 3600 --max-connections 4

slow_clients loris 32 --gap-ms 5000
expect_key_requests "$K1" 1 # the slow clients' requests never reached the upstream

kill -0 "$BRIDGE_PID" || fail "the listener died"
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d '{"model":"claude-sonnet-4-5"}'
[[ "$CODE" == 200 ]] || fail "after the slow clients: status $CODE"
stop_serve
[[ "$SERVE_RC" == 0 ]] || fail "serve exit $SERVE_RC"
