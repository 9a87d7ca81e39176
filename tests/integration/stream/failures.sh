#!/usr/bin/env bash
# docs/contract.md (output and exit statuses) "Streaming": a failure before the first event is handled like
# `ask`; once an event has arrived there is no failover: an upstream `error`
# event, a dropped connection or an idle stall end the run with exit 1, the
# text so far on stdout and the error on stderr after it; in --raw the error
# event is relayed, or written for a drop or stall, in the JSON shape.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

NEXT=sk-ant-test-sfail-next-key-Ee99
start_mock '{"keys": {
  "sk-ant-test-sfail-early-Ee00001": {"preamble": false, "drop_after": 0},
  "sk-ant-test-sfail-askcut-Ee0002": {"drop_after": 0},
  "sk-ant-test-sfail-event-Ee00003": {"deltas": ["partial ", "never sent"], "error_after": 1, "error_type": "overloaded_error", "error_message": "busy now"},
  "sk-ant-test-sfail-drop-Ee000004": {"deltas": ["partial ", "never sent"], "drop_after": 1},
  "sk-ant-test-sfail-stall-Ee00005": {"deltas": ["partial ", "never sent"], "stall_after": 1, "stall_ms": 15000},
  "sk-ant-test-sfail-nostop-Ee0006": {"chunks": ["event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"m\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n", "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"partial \"}}\n\n"]},
  "'$NEXT'": {"text": "the next key must not serve"}}}'

pool() {
    setup_pool "first $1" "second $NEXT"
    STATE="$T/state-$1/state.json"
}
# run_both ARGS...: bridge with stdout and stderr into one file, $T/both,
# so that their order can be checked.
run_both() {
    RC=0
    timeout -k 5 60 "$BRIDGE" "$@" --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" \
        >"$T/both" 2>&1 || RC=$?
}
# The last event of $T/out is an `event: error` with the JSON error shape.
expect_trailing_error_event() {
    local what=$1
    tail -c 2 "$T/out" | od -An -c | tr -d ' ' | grep -qx '\\n\\n' || fail "$what: stdout does not end with a blank line"
    local lines
    lines=$(tail -n 3 "$T/out")
    [[ "$(sed -n 1p <<<"$lines")" == "event: error" ]] || fail "$what: the last event is not 'event: error'"
    sed -n 2p <<<"$lines" | grep -qE '^data: ?\{"type": ?"error", ?"error": ?\{"type": ?"[a-z_]+", ?"message": ?"[^"]*"\}\}$' ||
        fail "$what: the error event's data is not {\"type\":\"error\",\"error\":{\"type\":...,\"message\":...}}"
}

# --- a failure before the first event: like ask ------------------------------------
pool sk-ant-test-sfail-askcut-Ee0002
run_pool ask "hi"
ask_rc=$RC
[[ $ask_rc -eq 1 || $ask_rc -eq 69 ]] || fail "ask, body cut before its first byte: exit $ask_rc"
pool sk-ant-test-sfail-early-Ee00001
run_pool stream "hi"
[[ $RC -eq $ask_rc ]] || fail "stream, cut before the first event: exit $RC, but ask exits $ask_rc for the same failure"
expect_out_empty
[[ -s "$T/err" ]] || fail "stream, cut before the first event: nothing on stderr"
expect_key_requests "$NEXT" 0
run_pool stream --raw "hi"
[[ $RC -eq $ask_rc ]] || fail "stream --raw, cut before the first event: exit $RC, want $ask_rc"
expect_out_empty # nothing relayed before the first event
stderr_json_line
expect_key_requests "$NEXT" 0

# --- an upstream error event ---------------------------------------------------------
pool sk-ant-test-sfail-event-Ee00003
run_pool stream "hi"
expect_rc 1
expect_out_exact $'partial \n'
expect_err_contains "overloaded_error"
expect_err_contains "busy now"
expect_err_contains "req_mock_" # the upstream request-id
run_both stream "hi"
expect_rc 1
head -n 1 "$T/both" | grep -qx 'partial ' || fail "the text so far is not first: $(cat "$T/both")"
sed -n '2,$p' "$T/both" | grep -qF "busy now" || fail "the error is not after the text: $(cat "$T/both")"
run_pool stream --raw "hi"
expect_rc 1
expect_out_contains 'event: content_block_delta'
tail -n 3 "$T/out" >"$T/tail"
printf 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"busy now"}}\n\n' >"$T/want"
cmp -s "$T/want" "$T/tail" || fail "--raw: the upstream error event was not relayed as it was sent"
expect_key_requests "$NEXT" 0

# --- a dropped connection after the first event -------------------------------------------
pool sk-ant-test-sfail-drop-Ee000004
run_pool stream "hi"
expect_rc 1
expect_out_exact $'partial \n'
[[ -s "$T/err" ]] || fail "a dropped stream: nothing on stderr"
run_both stream "hi"
head -n 1 "$T/both" | grep -qx 'partial ' || fail "drop: the text so far is not first: $(cat "$T/both")"
run_pool stream --raw "hi"
expect_rc 1
expect_out_contains '"text":"partial "'
expect_trailing_error_event "--raw, dropped connection"
expect_key_requests "$NEXT" 0

# --- a clean end without message_stop -----------------------------------------------------
pool sk-ant-test-sfail-nostop-Ee0006
run_pool stream "hi"
expect_rc 1
expect_out_exact $'partial \n'
run_pool stream --raw "hi"
expect_rc 1
expect_trailing_error_event "--raw, no message_stop"

# --- the whole-request --timeout ends a stream that is still going ---------------------------
# 100 deltas 250 ms apart: the first comes well before --timeout 3, the
# last ("six") would take 25 s.
deltas='"one "'
for ((i = 0; i < 98; i++)); do deltas+=', "more "'; done
deltas+=', "six"'
start_mock '{"default": {"deltas": ['"$deltas"'], "pace_ms": 250}}' paced
setup_pool "only sk-ant-test-sfail-paced-Ee00007"
POOL_URL=$(mock_url paced) run_pool stream --timeout 3 "hi"
expect_rc 1 # a run that went on to the end would exit 0 with "six"
expect_out_contains "one "
expect_out_not_contains "six"
[[ -s "$T/err" ]] || fail "a timed-out stream: nothing on stderr"

# --- an idle stall with --idle-timeout 1 -----------------------------------------------------
pool sk-ant-test-sfail-stall-Ee00005
run_pool stream --idle-timeout 1 "hi"
expect_rc 1
expect_out_exact $'partial \n'
[[ -s "$T/err" ]] || fail "a stalled stream: nothing on stderr"
run_pool stream --raw --idle-timeout 1 "hi"
expect_rc 1
expect_trailing_error_event "--raw, stalled stream"
expect_key_requests "$NEXT" 0
echo "ok"
