#!/usr/bin/env bash
# docs/contract.md (output and exit statuses) output: `ask` prints the text ending with a newline; `ask --json`
# the body byte for byte; `stream` the text; `stream --raw` the events byte
# for byte; stdout carries nothing else; -v names each attempt's key by label
# and hint and the key that served, never the key itself (§2 "Showing keys").
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

RAW_BODY='{ "id" : "msg_raw_1","type":"message", "role":"assistant","model":"claude-raw",
  "content":[{"type":"text","text":"raw \u00e9 body"},{"type":"thinking","thinking":"not shown","signature":"sig"},
    {"type":"tool_use","id":"toolu_1","name":"t","input":{"text":"not shown either"}},{"type":"text","text":" and more"}],
  "stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":2}}'
# Events with a comment, a ping, an unknown event, CRLF line ends, an event
# split across chunks and a delta that is not text.
CH=(
    $'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_c","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}\n\n'
    $'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n'
    $': keep-alive comment\n\nevent: ping\ndata: {"type": "ping"}\n\n'
    $'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello, "}}\n\n'
    $'event: content_block_delta\r\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"w\\u00f6rld"}}\r\n\r\n'
    $'event: future_event\ndata: {"type":"future_event","x":1}\n\nevent: content_block_de'
    $'lta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" \\"quoted\\"\\n"}}\n\n'
    $'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n'
    $'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}\n\n'
    $'event: message_stop\ndata: {"type":"message_stop"}\n\n'
)
# JSON string literals of the chunks for the mock script.
json_str() {
    local s=$1
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\n'/\\n}
    s=${s//$'\r'/\\r}
    printf '"%s"' "$s"
}
chunks=
for c in "${CH[@]}"; do
    chunks+=${chunks:+,}$(json_str "$c")
done
raw_body_json=$(json_str "$RAW_BODY")
K429=sk-ant-test-verbose-429-Kk0429
K401=sk-ant-test-verbose-401-Kk0401
KOK=sk-ant-test-verbose-200-Kk0200
start_mock '{"keys": {
  "sk-ant-test-out-text-Kk000001": {"text": "Hello there"},
  "sk-ant-test-out-nl-Kk00000002": {"text": "ends with a newline\n"},
  "sk-ant-test-out-raw-Kk0000003": {"body": '"$raw_body_json"'},
  "sk-ant-test-out-deltas-Kk0004": {"deltas": ["Hel", "lo, ", "wörld"]},
  "sk-ant-test-out-chunks-Kk0005": {"chunks": ['"$chunks"']},
  "sk-ant-test-out-ssevar-Kk00007": {"chunks": ["event:message_start\ndata:{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"m\"}}\n\n", "id: 7\nretry: 1000\nevent:content_block_delta\ndata:{\"type\":\"content_block_delta\",\"index\":0,\n", "data: \"delta\":{\"type\":\"text_delta\",\"text\":\"no-space and multi-line data\"}}\n\n", "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}\n\n", "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"]},
  "sk-ant-test-out-slow-Kk000006": {"delay_ms": 1200, "text": "slow answer"},
  "'$K429'": {"status": 429},
  "'$K401'": {"status": 401},
  "'$KOK'": {"text": "verbose answer"}}}'

one() {
    setup_pool "only $1"
    STATE="$T/state-$1/state.json"
}

# --- ask ---------------------------------------------------------------------------
one sk-ant-test-out-text-Kk000001
run_pool ask "hi"
expect_rc 0
expect_out_exact $'Hello there\n'
expect_err_empty
one sk-ant-test-out-nl-Kk00000002
run_pool ask "hi"
expect_rc 0
expect_out_exact $'ends with a newline\n' # one newline, none added (README)
run_pool stream "hi"
expect_out_exact $'ends with a newline\n'
one sk-ant-test-out-raw-Kk0000003
run_pool ask "hi"
expect_rc 0
expect_out_exact $'raw \u00e9 body and more\n'
run_pool ask --json "hi"
expect_rc 0
expect_out_exact "$RAW_BODY"
expect_err_empty
# -v and -q change stderr only.
run_pool ask --json -v "hi"
expect_rc 0
expect_out_exact "$RAW_BODY"
run_pool ask -q "hi"
expect_out_exact $'raw \u00e9 body and more\n'
expect_err_empty

# --- stream -------------------------------------------------------------------------
one sk-ant-test-out-deltas-Kk0004
run_pool stream "hi"
expect_rc 0
expect_out_exact $'Hello, w\u00f6rld\n'
expect_err_empty
run_pool stream -v "hi"
expect_out_exact $'Hello, w\u00f6rld\n'
one sk-ant-test-out-chunks-Kk0005
run_pool stream --raw "hi"
expect_rc 0
printf '%s' "${CH[@]}" >"$T/expected.sse"
cmp -s "$T/expected.sse" "$T/out" || fail "stream --raw did not relay the events byte for byte: $(cmp "$T/expected.sse" "$T/out" 2>&1)"
expect_err_empty
run_pool stream "hi"
expect_rc 0
expect_out_exact $'Hello, w\u00f6rld "quoted"\n'
expect_err_empty

# SSE as the format allows it: "data:" with no space, id/retry fields, data over
# several lines; a delta that is not text is ignored.
one sk-ant-test-out-ssevar-Kk00007
run_pool stream "hi"
expect_rc 0
expect_out_exact $'no-space and multi-line data\n'

# --- no spinner, no colour when stderr / stdout are not terminals ----------------------------
one sk-ant-test-out-slow-Kk000006
run_pool ask "hi"
expect_rc 0
expect_out_exact $'slow answer\n'
expect_err_empty
run_bridge keys status --key-file "$KEYS" --state "$STATE"
expect_rc 0
! grep -q $'\x1b' "$T/out" || fail "keys status coloured a pipe"

# --- -v: label and hint of every attempt and of the key that served ----------------------
setup_pool "ratelimited $K429" "revoked $K401" "serving $KOK"
STATE="$T/state-verbose/state.json"
for cmd in ask stream; do
    rm -rf "$T/state-verbose"
    run_pool "$cmd" -v "hi"
    expect_rc 0
    expect_out_exact $'verbose answer\n'
    expect_err_contains "ratelimited"
    expect_err_contains "sk-a...0429"
    expect_err_contains "revoked"
    expect_err_contains "sk-a...0401"
    grep -E 'serv' "$T/err" | grep -F "serving" | grep -qF "sk-a...0200" ||
        fail "$cmd -v: no line naming the key that served (label and hint)"
    grep -F "ratelimited" "$T/err" | grep -qF "429" || fail "$cmd -v: the 429 attempt does not say how it ended"
    grep -F "revoked" "$T/err" | grep -qF "401" || fail "$cmd -v: the 401 attempt does not say how it ended"
    for k in "$K429" "$K401" "$KOK"; do
        expect_err_not_contains "$k"
        expect_out_not_contains "$k"
        ! grep -qF "$k" "$STATE" || fail "a key is in the state file"
    done
    grep -v '^bridge: ' "$T/err" | grep -q . && fail "$cmd -v: a stderr line not prefixed 'bridge: '"
done
run_bridge keys status --key-file "$KEYS" --state "$STATE"
expect_out_contains "sk-a...0429"
for k in "$K429" "$K401" "$KOK"; do
    expect_out_not_contains "$k"
done

# --- hints: n = 4 for 20+ characters, 2 for 10-19, 1 for 5-9, 0 below ---------------------
setup_pool "h21 sk-ant-api03-abcdefgh" "h20 abcdefghij0123456789" "h17 abcdefghij012345X" \
    "h12 abcdefghijkl" "h10 ABCDEFGHIJ" "h9 123456789" "h5 vwxyz" "h4 wxyz" "h1 Z"
STATE="$T/state-hints/state.json"
keys_status
declare -A HINT=([h21]="sk-a...efgh" [h20]="abcd...6789" [h17]="ab...5X" [h12]="ab...kl"
    [h10]="AB...IJ" [h9]="1...9" [h5]="v...z" [h4]="..." [h1]="...")
for label in "${!HINT[@]}"; do
    got=$(key_field "$label" hint)
    [[ "$got" == "${HINT[$label]}" ]] || fail "hint of $label: got '$got', want '${HINT[$label]}'"
done
echo "ok"
