#!/usr/bin/env bash
# The listener turns Nagle's algorithm off (TCP_NODELAY) on the connections
# it serves: evhttp leaves it on, and a reply written in pieces then waits
# for the client's delayed ACK, up to 40 ms (bench/README.md, "The listener":
# a p99 of +45 ms over the upstream's, +3.7 ms without it).
# bridge-hostile-client looks at the listener's end of its connection
# through pidfd_getfd; skipped (77) where the system does not allow that.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/listener.sh
source "$(dirname "$0")/../lib/listener.sh"
[[ -x "${BRIDGE_HOSTILE_CLIENT:-}" ]] || fail "\$BRIDGE_HOSTILE_CLIENT must name bridge-hostile-client"

K1=sk-ant-nodelay-one-Qw3rTy0001
start_mock '{"keys": {"'$K1'": {"text": "served"}}}'
setup_pool "one $K1"
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL"
port=${A_URL##*:}
port=${port%%/*}

rc=0
"$BRIDGE_HOSTILE_CLIENT" nodelay --port "$port" --pid "$BRIDGE_PID" >"$T/nodelay.out" 2>&1 || rc=$?
cat "$T/nodelay.out"
if ((rc == 77)); then
    echo "skipped: $(cat "$T/nodelay.out")"
    exit 77
fi
((rc == 0)) || fail "bridge-hostile-client nodelay: exit $rc"
grep -qx 'TCP_NODELAY 1' "$T/nodelay.out" || fail "the listener's connection has Nagle on"
stop_serve
