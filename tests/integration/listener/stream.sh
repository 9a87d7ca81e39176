#!/usr/bin/env bash
# docs/contract.md ("The pool behind any tool"): a stream through the
# listener is the upstream's stream byte for byte (compared with the same
# request sent straight to the mock); a client that goes away mid-stream
# stops that transfer and the listener serves the next request; a stream the
# upstream cuts off reaches the client cut off; a body over
# 32 MiB is refused 413 and headers over 64 KiB 400, neither
# reaching the upstream.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/listener.sh
source "$(dirname "$0")/../lib/listener.sh"

K1=sk-ant-stream-one-Qw3rTy0001
K2=sk-ant-stream-two-Qw3rTy0002
K3=sk-ant-stream-cut-Qw3rTy0003
GATE="$T/gate"
start_mock '{"keys": {
  "'$K1'": {"stream_bytes": 3000000, "delta_size": 7000},
  "'$K2'": [{"deltas": ["first ", "second ", "third"], "gate_file": "'"$GATE"'"},
            {"text": "after the drop"}],
  "'$K3'": {"deltas": ["one ", "two ", "three"], "drop_after": 1}}}'
STREAM='{"model":"claude-sonnet-4-5","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}'

# Byte for byte: the same stream straight from the mock and through bridge
# (the mock numbers its messages: the ids are set aside).
setup_pool "one $K1"
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL"
lcurl "$MOCK_URL/v1/messages" -H "x-api-key: $K1" -d "$STREAM"
[[ "$CODE" == 200 ]] || fail "direct: status $CODE"
sed 's/msg_mock_[0-9]*/msg_mock_N/' "$T/body" >"$T/direct"
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d "$STREAM"
[[ "$CODE" == 200 ]] || fail "through bridge: status $CODE"
[[ "$(head_value content-type)" == text/event-stream* ]] || fail "content-type: $(cat "$T/head")"
sed 's/msg_mock_[0-9]*/msg_mock_N/' "$T/body" >"$T/relayed"
size=$(wc -c <"$T/direct")
((size > 3000000)) || fail "the direct stream is only $size bytes"
cmp -s "$T/direct" "$T/relayed" || fail "the relayed stream differs from the direct one ($(wc -c <"$T/relayed") vs $size bytes)"
stop_serve

# A stream the upstream cuts off mid-way: the client sees it cut off too (no
# end of the chunked body), as it would straight from the mock.
KEYS=$(write_key_file "cut $K3")
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL"
rc=0
curl --noproxy '*' -sS -N --max-time "$HANG_GUARD_S" "$MOCK_URL/v1/messages" \
    -H "x-api-key: $K3" -d "$STREAM" >"$T/cut-direct" 2>/dev/null || rc=$?
((rc != 0 && rc != 28)) || fail "the mock's cut stream ended with curl status $rc"
rc=0
curl --noproxy '*' -sS -N --max-time "$HANG_GUARD_S" "$A_URL/v1/messages" \
    -H "x-api-key: $TOKEN" -d "$STREAM" >"$T/cut-relayed" 2>/dev/null || rc=$?
((rc != 0 && rc != 28)) || fail "the cut stream through bridge ended with curl status $rc"
grep -q 'one ' "$T/cut-relayed" || fail "the cut stream lost its first delta: $(cat "$T/cut-relayed")"
stop_serve

# A client gone mid-stream: the mock holds the stream after its first delta
# until the gate opens; the client is killed then, and the listener goes on.
KEYS=$(write_key_file "two $K2")
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" -v
curl --noproxy '*' -sS -N --max-time "$HANG_GUARD_S" "$A_URL/v1/messages" \
    -H "x-api-key: $TOKEN" -d "$STREAM" >"$T/partial" 2>/dev/null &
client=$!
wait_until "$HANG_GUARD_S" "the first delta reached the client" grep -q 'first ' "$T/partial"
kill -KILL "$client"
wait "$client" 2>/dev/null || true
: >"$GATE"
# The relay of that stream ends (its -v line is written when it is over).
wait_until "$HANG_GUARD_S" "the listener finished the dropped stream" \
    grep -q 'POST /anthropic/v1/messages .* 200 ' "$T/serve.err"
kill -0 "$BRIDGE_PID" || fail "the listener died with its client"
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d "${STREAM/\"stream\":true,/}"
[[ "$CODE" == 200 ]] || fail "after a dropped client: status $CODE"
grep -q 'after the drop' "$T/body" || fail "after a dropped client: $(cat "$T/body")"

# Limits: a body over 32 MiB, headers over 64 KiB; neither reaches the mock.
before=$(mock_requests)
head -c $((32 * 1024 * 1024 + 1)) /dev/zero | tr '\0' 'a' >"$T/big"
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" --data-binary @"$T/big"
[[ "$CODE" == 413 ]] || fail "a body over 32 MiB: status $CODE"
long=$(head -c $((65 * 1024)) /dev/zero | tr '\0' 'h')
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -H "x-long: $long" -d "$STREAM"
# evhttp refuses them itself, with 400 (it has no 431), and closes.
[[ "$CODE" == 400 ]] || fail "headers over 64 KiB: status $CODE"
[[ "$(mock_requests)" == "$before" ]] || fail "an oversize request reached the mock"
# The listener is still there.
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d "${STREAM/\"stream\":true,/}"
[[ "$CODE" == 200 ]] || fail "after the oversize requests: status $CODE"
stop_serve
[[ "$SERVE_RC" == 0 ]] || fail "serve exit $SERVE_RC"
