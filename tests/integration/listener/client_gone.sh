#!/usr/bin/env bash
# docs/contract.md ("The pool behind any tool"): a client that goes away in
# the middle of a stream stops the upstream transfer. The mock's stream is
# endless for the test's purpose (a terabyte); the client is killed after
# the first bytes. The relay then ends (its -v line is written), and neither
# the listener nor the mock holds a TCP connection any more: the mock's side
# was closed by bridge, not left to stream. Nothing leaks (the listener's
# descriptors are back to what they were) and the next request is served.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/listener.sh
source "$(dirname "$0")/../lib/listener.sh"

K1=sk-ant-gone-one-Qw3rTy0000001
start_mock '{"keys": {"'$K1'": [{"text": "warm"}, {"stream_bytes": 1000000000000, "delta_size": 16384},
                                 {"text": "after the drop"}]}}'
STREAM='{"model":"claude-sonnet-4-5","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}'
setup_pool "one $K1"
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" -v
fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l; }
fds_back() { (($(fd_count "$BRIDGE_PID") <= base)); }
# One request first, so that what a served request leaves open (the pooled
# transport's descriptors) is in the baseline. The stream reuses its
# kept-alive connection to the mock.
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d '{"model":"claude-sonnet-4-5"}'
[[ "$CODE" == 200 ]] || fail "before: status $CODE"
base=$(fd_count "$BRIDGE_PID")
mock_pid=${_MOCK_PIDS[.]}

curl --noproxy '*' -sS -N --max-time "$HANG_GUARD_S" "$A_URL/v1/messages" \
    -H "x-api-key: $TOKEN" -d "$STREAM" >"$T/partial" 2>/dev/null &
client=$!
got_some() { (($(wc -c <"$T/partial") > 1000000)); }
wait_until "$HANG_GUARD_S" "a megabyte reached the client" got_some
tcp_connected "$mock_pid" || fail "the mock holds no connection while it streams"
kill -KILL "$client"
wait "$client" 2>/dev/null || true

relays_ended() { (($(grep -c 'POST /anthropic/v1/messages .* 200 ' "$T/serve.err") == 2)); }
wait_until "$HANG_GUARD_S" "the listener ended the relay of the dropped stream" relays_ended
mock_idle() { ! tcp_connected "$mock_pid"; }
wait_until "$HANG_GUARD_S" "the upstream connection closed (the mock still streams)" mock_idle
listener_idle() { ! tcp_connected "$BRIDGE_PID"; }
wait_until "$HANG_GUARD_S" "the listener closed its connections" listener_idle
wait_until "$HANG_GUARD_S" "the listener's descriptors back to $base" fds_back
expect_key_requests "$K1" 2

lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d "${STREAM/\"stream\":true,/}"
[[ "$CODE" == 200 ]] || fail "after a dropped client: status $CODE"
grep -q 'after the drop' "$T/body" || fail "after a dropped client: $(cat "$T/body")"
stop_serve
[[ "$SERVE_RC" == 0 ]] || fail "serve exit $SERVE_RC"
