#!/usr/bin/env bash
# docs/contract.md ("The pool behind any tool"): more requests at once than
# --max-connections are answered 503 at once (retry-after 1) and reach no
# upstream; a client that sends nothing is dropped after --idle-timeout; a
# request whose answer takes longer than that is not (the timeout is the
# client's silence, not the upstream's).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/listener.sh
source "$(dirname "$0")/../lib/listener.sh"

K1=sk-ant-limits-one-Qw3rTy00001
GATE="$T/gate"
start_mock '{"keys": {
  "'$K1'": [{"deltas": ["first ", "second"], "gate_file": "'"$GATE"'"},
            {"text": "slow answer", "delay_ms": 2500},
            {"text": "served"}]}}'
STREAM='{"model":"claude-sonnet-4-5","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}'
BODY='{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}'
setup_pool "one $K1"
# --idle-timeout also bounds the upstream's silence, and the held stream's
# upstream is silent until the test opens its gate: that part runs with the
# default timeout, so that no wall-clock window decides it.
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" --max-connections 1

# One stream held open by the mock: the second request finds no room.
curl --noproxy '*' -sS -N --max-time "$HANG_GUARD_S" "$A_URL/v1/messages" \
    -H "x-api-key: $TOKEN" -d "$STREAM" >"$T/held" 2>/dev/null &
held=$!
wait_until "$HANG_GUARD_S" "the first delta reached the client" grep -q 'first ' "$T/held"
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d "$BODY"
[[ "$CODE" == 503 ]] || fail "over --max-connections: status $CODE"
[[ "$(head_value retry-after)" == 1 ]] || fail "503 retry-after: $(cat "$T/head")"
grep -q '"overloaded_error"' "$T/body" || fail "503 body: $(cat "$T/body")"
expect_requests 1
: >"$GATE"
wait "$held" || fail "the held stream failed"
grep -q 'second' "$T/held" || fail "the held stream: $(cat "$T/held")"

stop_serve

start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" --max-connections 1 \
    --idle-timeout 1
# An answer that takes longer than the idle timeout still arrives.
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d "$BODY"
[[ "$CODE" == 200 ]] || fail "a slow answer: status $CODE $(cat "$T/curl.err")"
grep -q 'slow answer' "$T/body" || fail "a slow answer: $(cat "$T/body")"

# A client that connects and says nothing is dropped: its read ends (EOF)
# long before the hang guard.
port=${A_URL##*:}
port=${port%%/*}
exec 3<>"/dev/tcp/127.0.0.1/$port"
rc=0
read -r -t "$HANG_GUARD_S" -u 3 _ || rc=$?
exec 3<&-
((rc == 1)) || fail "an idle client was not dropped (read status $rc)"

lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d "$BODY"
[[ "$CODE" == 200 ]] || fail "after the limits: status $CODE"
stop_serve
