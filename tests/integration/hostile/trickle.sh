#!/usr/bin/env bash
# Hostile upstream: a server that trickles its answer one byte per second.
# docs/contract.md (commands)/§8: --idle-timeout means "no byte received", so it must NOT fire
# while bytes keep coming (however slowly); --timeout is the whole request,
# so it MUST fire even though bytes keep coming. Blocking and streaming
# answers, text and --raw; the cases run side by side (about 6 s in all).
# The idle timeout of the good cases is 3 s against bytes 1 s apart (2 s of
# slack for a busy machine) over 4 or 6 s in all, so it proves the idle
# timeout is not a whole-request one. The timed-out cases are judged by what
# they print (a run that went on would get the whole answer after 30 s, well
# within the hang guard), with no upper window on how long they took.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/hostile.sh
source "$(dirname "$0")/../lib/hostile.sh"

# n_bytes N BYTE: N one-byte chunks, as JSON list items.
n_bytes() {
    local i out=
    for ((i = 0; i < $1; i++)); do
        out+=", $(jstr "$2")"
    done
    printf '%s' "$out"
}

BODY='{"id":"msg_tr","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"trickled answer"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}'
HEAD=${BODY:0:$((${#BODY} - 4))}
TAIL=${BODY: -4}
PRE=$(ev message_start '{"type":"message_start","message":{"id":"msg_s","type":"message","role":"assistant","content":[],"model":"m","stop_reason":null,"usage":{"input_tokens":1,"output_tokens":1}}}')$'\n\n'
PRE+=$(ev content_block_start '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}')$'\n\n'
D1=$(delta "Hello")$'\n\n'
D2=$(delta " world")$'\n\n'
STOP=$(ev content_block_stop '{"type":"content_block_stop","index":0}')$'\n\n'$(ev message_stop '{"type":"message_stop"}')$'\n\n'

# Blocking: the last 4 bytes of the body, 1 s apart (4 s); or 30 blanks
# before a body (30 s, leading white space is valid JSON). Streaming: a
# comment line trickled in 1 s steps (6 s), or 30 blank lines (30 s).
nl=$'\n'
script='{"keys": {'
script+='"sk-ant-trickle-ask-ok-aaaaaaaaaaaaa": {"pace_ms": 1000, "content_type": "application/json", "chunks": ['
script+="$(jstr "$HEAD")$(n_bytes 1 "${TAIL:0:1}")$(n_bytes 1 "${TAIL:1:1}")$(n_bytes 1 "${TAIL:2:1}")$(n_bytes 1 "${TAIL:3:1}")]},"
script+='"sk-ant-trickle-ask-slow-aaaaaaaaaaa": {"pace_ms": 1000, "content_type": "application/json", "chunks": ['
script+="\" \"$(n_bytes 30 " ")$(n_bytes 1 "$BODY")]},"
script+='"sk-ant-trickle-stream-ok-aaaaaaaaaa": {"pace_ms": 1000, "chunks": ['
script+="$(jstr "$PRE$D1")$(n_bytes 1 ":")$(n_bytes 1 " ")$(n_bytes 1 "k")$(n_bytes 2 "$nl")$(n_bytes 1 "$D2$STOP")]},"
script+='"sk-ant-trickle-stream-slow-aaaaaaaa": {"pace_ms": 1000, "chunks": ['
script+="$(jstr "$PRE$D1")$(n_bytes 30 "$nl")$(n_bytes 1 "$D2$STOP")]}"
script+='}}'
start_mock "$script"

# run_case NAME KEY ARGS...: case_start with a key file of KEY only.
run_case() {
    local name=$1 key=$2
    shift 2
    (umask 077 && printf 'k %s\n' "$key" >"$T/$name.keys")
    case_start "$name" "$@" --no-stdin --key-file "$T/$name.keys" --state "$T/$name.state" --base-url "$MOCK_URL" q
}
run_case ask_ok sk-ant-trickle-ask-ok-aaaaaaaaaaaaa ask --idle-timeout 3
run_case ask_slow sk-ant-trickle-ask-slow-aaaaaaaaaaa ask --idle-timeout 2 --timeout 3
run_case stream_ok sk-ant-trickle-stream-ok-aaaaaaaaaa stream --idle-timeout 3
run_case raw_ok sk-ant-trickle-stream-ok-aaaaaaaaaa stream --raw --idle-timeout 3
run_case stream_slow sk-ant-trickle-stream-slow-aaaaaaaa stream --idle-timeout 2 --timeout 3
run_case raw_slow sk-ant-trickle-stream-slow-aaaaaaaa stream --raw --idle-timeout 2 --timeout 3
cases_wait

# load NAME: the case's results as the last run.
load() { case_load "$1"; }

# --- the idle timeout does not fire while bytes arrive -----------------------------
load ask_ok
expect_rc 0
expect_out_eq "trickled answer"
((MS >= 3500)) || fail "the trickle was too fast to prove anything ($MS ms)"
echo "ask, 1 byte/s for 4 s, --idle-timeout 3: exit 0 after $MS ms"

load stream_ok
expect_rc 0
expect_out_eq "Hello world"
((MS >= 5500)) || fail "the trickle was too fast to prove anything ($MS ms)"
echo "stream, 1 byte/s for 6 s, --idle-timeout 3: exit 0 after $MS ms"

load raw_ok
expect_rc 0
printf '%s' "$PRE$D1: k"$'\n\n'"$D2$STOP" >"$T/expected"
cmp -s "$T/expected" "$T/out" || fail "stream --raw: the trickled events were not relayed exactly"
echo "stream --raw, 1 byte/s for 6 s, --idle-timeout 3: exit 0 after $MS ms"

# --- the whole-request timeout fires although bytes arrive --------------------------
load ask_slow
[[ "$RC" == 1 || "$RC" == 69 ]] || fail "ask: a whole-request timeout must be exit 69 (or 1 once the answer began), got $RC"
expect_out_empty
grep -qiE 'time' "$T/err" || fail "ask: the message does not say the request timed out"
# The trickle lasts 30 s: --timeout 3 ends it at 3 s (not before); a run
# that went on would have printed the answer.
((MS >= 2500)) || fail "ask: --timeout 3 ended the run after $MS ms"
echo "ask, 1 byte/s, --timeout 3: exit $RC after $MS ms: $(head -n 1 "$T/err")"

load stream_slow
expect_rc 1
expect_out_exact $'Hello\n'
grep -qiE 'time|stall' "$T/err" || fail "stream: the message does not say the stream timed out"
((MS >= 2500)) || fail "stream: --timeout 3 ended the run after $MS ms"
echo "stream, 1 byte/s, --timeout 3: exit 1 after $MS ms: $(head -n 1 "$T/err")"

load raw_slow
expect_rc 1
grep -qx 'event: error' "$T/out" || fail "stream --raw: no SSE error event after the timeout"
grep -qE '^data: \{"type":"error","error":\{"type":"timeout_error","message":"' "$T/out" ||
    fail "stream --raw: the error event after a timeout must have type timeout_error"
grep -q 'world' "$T/out" && fail "stream --raw: the run went on past --timeout 3"
((MS >= 2500)) || fail "stream --raw: --timeout 3 ended the run after $MS ms"
echo "stream --raw, 1 byte/s, --timeout 3: exit 1 after $MS ms"

echo "hostile_trickle passed"
