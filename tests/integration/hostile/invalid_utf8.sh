#!/usr/bin/env bash
# Hostile upstream: bytes that are not UTF-8 (0xFF 0xFE, a lone continuation
# byte, a truncated sequence) inside the answer text, inside an error
# message, inside a text delta and inside a stream's error event. Whatever
# bridge decides (replace the bytes, or call the reply malformed), it must:
#   - never crash, never lose text silently (exit 0 with a delta missing);
#   - keep its own JSON output (--json / --raw errors) valid UTF-8 JSON;
#   - relay upstream bytes exactly in --raw mode (docs/contract.md, commands).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/hostile.sh
source "$(dirname "$0")/../lib/hostile.sh"

valid_utf8() {
    iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1
}
# The bytes a `binary` mock string stands for: \xHH decoded, nothing else.
bytes() {
    local s=${1//%/%%}
    # shellcheck disable=SC2059
    printf "$s"
}

BAD='\xff\xfe \x80 \xc3'
PRE=$(ev message_start '{"type":"message_start","message":{"id":"msg_u","type":"message","role":"assistant","content":[],"model":"m","stop_reason":null,"usage":{"input_tokens":1,"output_tokens":1}}}')$'\n\n'
D1=$(delta "good ")$'\n\n'
D2=$(delta "before $BAD after")$'\n\n'
D3=$(delta " end")$'\n\n'
STOP=$(ev message_stop '{"type":"message_stop"}')$'\n\n'
ERR=$(ev error '{"type":"error","error":{"type":"overloaded_error","message":"busy '"$BAD"' busy"}}')$'\n\n'
ANSWER='{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"before '"$BAD"' after"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}'
ERROR_BODY='{"type":"error","error":{"type":"invalid_request_error","message":"bad byte '"$BAD"' here"}}'

start_mock '{"keys": {
  "sk-ant-utf8-answer-aaaaaaaaaaaaaaaa": {"binary": true, "body": '"$(jstr "$ANSWER")"'},
  "sk-ant-utf8-error-aaaaaaaaaaaaaaaaa": {"binary": true, "status": 400, "body": '"$(jstr "$ERROR_BODY")"'},
  "sk-ant-utf8-delta-aaaaaaaaaaaaaaaaa": {"binary": true, "chunks": ['"$(jstr "$PRE")"', '"$(jstr "$D1")"', '"$(jstr "$D2")"', '"$(jstr "$D3")"', '"$(jstr "$STOP")"']},
  "sk-ant-utf8-sse-err-aaaaaaaaaaaaaaa": {"binary": true, "chunks": ['"$(jstr "$PRE")"', '"$(jstr "$D1")"', '"$(jstr "$ERR")"']}
}}'

# --- a blocking answer with invalid UTF-8 in its text ---------------------------
send sk-ant-utf8-answer-aaaaaaaaaaaaaaaa ask
case $RC in
0)
    expect_out_contains "before"
    expect_out_contains "after"
    echo "ask: invalid UTF-8 in the answer is printed (exit 0)"
    ;;
1)
    expect_out_empty
    [[ -s "$T/err" ]] || fail "ask: exit 1 without a message"
    echo "ask: invalid UTF-8 in the answer is a malformed reply (exit 1: $(head -c 200 "$T/err"))"
    ;;
*) fail "ask: unexpected exit code for an answer with invalid UTF-8" ;;
esac

send sk-ant-utf8-answer-aaaaaaaaaaaaaaaa ask --json
if [[ "$RC" == 0 ]]; then
    bytes "$ANSWER" >"$T/expected"
    cmp -s "$T/expected" "$T/out" || fail "ask --json: the body was not printed exactly as received"
else
    expect_rc 1
    valid_utf8 "$T/err" || fail "ask --json: the JSON error line on stderr is not valid UTF-8"
    grep -qE '^\{"type":"error","error":\{"type":"[a-z_]+","message":"' "$T/err" ||
        fail "ask --json: the error is not one JSON line of the upstream shape"
fi

# --- an error message with invalid UTF-8 ------------------------------------------
send sk-ant-utf8-error-aaaaaaaaaaaaaaaaa ask
expect_rc 1
expect_out_empty
expect_err_contains "400"
[[ $(wc -l <"$T/err") -eq 1 ]] || fail "ask: the report must be one line"

send sk-ant-utf8-error-aaaaaaaaaaaaaaaaa ask --json
expect_rc 1
[[ $(wc -l <"$T/err") -eq 1 ]] || fail "ask --json: stderr must be one JSON line"
valid_utf8 "$T/err" || fail "ask --json: the JSON error line on stderr is not valid UTF-8 (it is bridge's own JSON)"
grep -qE '^\{"type":"error","error":\{"type":"[a-z_]+","message":"' "$T/err" ||
    fail "ask --json: the error is not one JSON line of the upstream shape"
expect_err_contains "bad byte"

send sk-ant-utf8-error-aaaaaaaaaaaaaaaaa stream --raw
expect_rc 1
expect_out_empty
valid_utf8 "$T/err" || fail "stream --raw: the JSON error line on stderr is not valid UTF-8"

# --- a text delta with invalid UTF-8 -----------------------------------------------
send sk-ant-utf8-delta-aaaaaaaaaaaaaaaaa stream
if [[ "$RC" == 0 ]]; then
    { grep -q "before" "$T/out" && grep -q "after" "$T/out"; } ||
        problem "stream: the text delta holding invalid UTF-8 was silently dropped: exit 0 and stdout is '$(cat "$T/out")' (expected 'good before ... after end', or exit 1 calling the reply malformed)"
else
    expect_rc 1
    [[ -s "$T/err" ]] || fail "stream: exit 1 without a message"
fi

send sk-ant-utf8-delta-aaaaaaaaaaaaaaaaa stream --raw
expect_rc 0
bytes "$PRE$D1$D2$D3$STOP" >"$T/expected"
cmp -s "$T/expected" "$T/out" || fail "stream --raw: the events were not relayed byte for byte"

# --- an error event with invalid UTF-8 ---------------------------------------------
send sk-ant-utf8-sse-err-aaaaaaaaaaaaaaa stream
expect_rc 1
expect_out_exact $'good \n'
expect_err_contains "error"

send sk-ant-utf8-sse-err-aaaaaaaaaaaaaaa stream --raw
expect_rc 1
bytes "$PRE$D1$ERR" >"$T/expected"
cmp -s "$T/expected" "$T/out" || fail "stream --raw: the error event was not relayed byte for byte"
valid_utf8 "$T/err" || fail "stream --raw: the JSON error line on stderr is not valid UTF-8"

if ((${#problems[@]} > 0)); then
    printf 'FAIL: %s\n' "${problems[@]}" >&2
    exit 1
fi
echo "hostile_invalid_utf8 passed"
