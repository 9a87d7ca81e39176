#!/usr/bin/env bash
# Hostile upstream: a 200 whose JSON is cut short or is not a message, and
# event streams that end in the middle of a line or carry an event whose
# JSON is broken. docs/contract.md (output and exit statuses): a malformed upstream reply is exit 1 with a clear
# message, stdout holds no broken answer; in stream text mode the text so
# far, then the error on stderr; in --raw mode the upstream bytes, then an SSE
# `event: error` that a consumer can actually parse.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/hostile.sh
source "$(dirname "$0")/../lib/hostile.sh"

# Findings are gathered, so that one run reports all of them.

PRE=$(ev message_start '{"type":"message_start","message":{"id":"msg_t","type":"message","role":"assistant","content":[],"model":"m","stop_reason":null,"usage":{"input_tokens":1,"output_tokens":1}}}')$'\n\n'
PRE+=$(ev content_block_start '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}')$'\n\n'
GOOD=$(delta "good ")$'\n\n'
LATER=$(delta "later words")$'\n\n'
STOP=$(ev content_block_stop '{"type":"content_block_stop","index":0}')$'\n\n'$(ev message_stop '{"type":"message_stop"}')$'\n\n'
CUT_LINE=$'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_del'
# A whole event (blank line and all) whose data is not JSON: the closing
# quote and braces are missing.
BROKEN=$'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lost words\n\n'

TRUNC='{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"Hel'
start_mock '{"keys": {
  "sk-ant-trunc-body-aaaaaaaaaaaaaaaaa": {"body": '"$(jstr "$TRUNC")"'},
  "sk-ant-trunc-drop-aaaaaaaaaaaaaaaaa": {"text": "a complete answer that is cut off in the middle", "drop_after": 60},
  "sk-ant-trunc-empty-obj-aaaaaaaaaaaa": {"body": "{}"},
  "sk-ant-trunc-array-aaaaaaaaaaaaaaaa": {"body": "[]"},
  "sk-ant-trunc-content-str-aaaaaaaaaa": {"body": "{\"type\":\"message\",\"content\":\"not an array\"}"},
  "sk-ant-trunc-sse-cut-aaaaaaaaaaaaaa": {"chunks": ['"$(jstr "$PRE")"', '"$(jstr "$GOOD")"', '"$(jstr "$CUT_LINE")"']},
  "sk-ant-trunc-sse-bad-aaaaaaaaaaaaaa": {"chunks": ['"$(jstr "$PRE")"', '"$(jstr "$GOOD")"', '"$(jstr "$BROKEN")"', '"$(jstr "$LATER")"', '"$(jstr "$STOP")"']}
}}'

# --- blocking answers -------------------------------------------------------------
send sk-ant-trunc-body-aaaaaaaaaaaaaaaaa ask
expect_rc 1
expect_out_empty
expect_err_contains "malformed"
expect_err_contains "req_mock_"

send sk-ant-trunc-body-aaaaaaaaaaaaaaaaa ask --json
expect_rc 1
expect_out_empty
[[ $(wc -l <"$T/err") -eq 1 ]] || fail "ask --json: stderr must be one JSON line"
grep -qE '^\{"type":"error","error":\{"type":"[a-z_]+","message":"[^"]*malformed' "$T/err" ||
    fail "ask --json: a truncated answer must give one JSON error line"

send sk-ant-trunc-drop-aaaaaaaaaaaaaaaaa ask
expect_rc 1
expect_out_empty
expect_err_contains "mid-answer"

for key in sk-ant-trunc-empty-obj-aaaaaaaaaaaa sk-ant-trunc-array-aaaaaaaaaaaaaaaa sk-ant-trunc-content-str-aaaaaaaaaa; do
    send "$key" ask
    expect_rc 1
    expect_out_empty
    expect_err_contains "not a Messages response"
done

# A stream request answered with a truncated plain JSON body.
send sk-ant-trunc-body-aaaaaaaaaaaaaaaaa stream
expect_rc 1
expect_out_empty
[[ -s "$T/err" ]] || fail "stream: a truncated plain answer must be reported"

# --- a stream that ends in the middle of a line -------------------------------------
send sk-ant-trunc-sse-cut-aaaaaaaaaaaaaa stream
expect_rc 1
expect_out_exact $'good \n'
expect_err_contains "message_stop"

send sk-ant-trunc-sse-cut-aaaaaaaaaaaaaa stream --raw
expect_rc 1
# Whole events are relayed exactly; the half event that was cut off is held
# back (never half-relayed), and bridge's own error event follows.
printf '%s' "$PRE$GOOD" >"$T/relayed"
cmp -s "$T/relayed" <(head -c "$(wc -c <"$T/relayed")" "$T/out") ||
    fail "stream --raw: the complete upstream events were not relayed exactly"
[[ "$(tail -c +"$(($(wc -c <"$T/relayed") + 1))" "$T/out" | head -n 1)" == "event: error" ]] ||
    fail "stream --raw: after the complete events must come bridge's error event, not the cut-off line"
# An SSE parser only sees an error event when `event: error` starts a line
# (and the cut-off line before it is ended, not extended by it).
grep -qx 'event: error' "$T/out" ||
    problem "stream --raw: the error event bridge writes after a stream cut mid-line is glued to the partial line ('$(tail -c 120 "$T/out" | tr '\n' '|')'), so no SSE consumer can see it"
grep -qE '^data: \{"type":"error","error":\{"type":"[a-z_]+","message":"' "$T/out" ||
    problem "stream --raw: the error event has no data line of the upstream shape"

# --- an event whose JSON is broken, then more text and a proper end ------------------
send sk-ant-trunc-sse-bad-aaaaaaaaaaaaaa stream
if [[ "$RC" == 0 ]]; then
    problem "stream: a content_block_delta with malformed JSON was dropped without a word (exit 0, stdout '$(tr '\n' '|' <"$T/out")', stderr '$(cat "$T/err")'): its text is silently lost; docs/contract.md (output and exit statuses) says a malformed upstream reply is exit 1"
else
    expect_rc 1
    [[ -s "$T/err" ]] || fail "stream: the malformed event must be reported on stderr"
fi

if ((${#problems[@]} > 0)); then
    printf 'FAIL: %s\n' "${problems[@]}" >&2
    exit 1
fi

echo "hostile_truncated_json passed"
