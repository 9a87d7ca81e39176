#!/usr/bin/env bash
# docs/contract.md (output and exit statuses) exit 1 "malformed upstream reply" and §3 "any other status": a 2xx
# that is not a Messages response, an error status whose body is not an API
# error (an HTML proxy page) — reported, exit 1, no failover, no mark. A
# stream answered with a plain Messages body (a server that ignored "stream")
# still gives the text.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

NEXT=sk-ant-test-malformed-next-Mm99
MSG='{"id":"msg_plain","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"plain answer"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":2}}'
MSG_JSON=${MSG//\"/\\\"}
start_mock '{"keys": {
  "sk-ant-test-malformed-html-Mm001": {"body": "<html><body>Welcome to the captive portal</body></html>", "content_type": "text/html"},
  "sk-ant-test-malformed-json-Mm002": {"body": "{\"unexpected\": true}"},
  "sk-ant-test-malformed-trunc-Mm03": {"body": "{\"id\":\"msg_x\",\"type\":\"mess"},
  "sk-ant-test-malformed-502-Mm0004": {"status": 502, "body": "<html><body>Bad gateway from the proxy</body></html>", "content_type": "text/html", "headers": {"request-id": "req_test_502"}},
  "sk-ant-test-malformed-noouter-M6": {"status": 400, "body": "{\"error\": {\"type\": \"invalid_request_error\", \"message\": \"no outer type here\"}}"},
  "sk-ant-test-malformed-429html-M7": {"status": 429, "body": "<html>Too Many Requests</html>", "content_type": "text/html", "headers": {"retry-after": "30"}},
  "sk-ant-test-malformed-401html-M8": {"status": 401, "body": "<html>Unauthorized</html>", "content_type": "text/html"},
  "sk-ant-test-malformed-203-Mm0009": {"status": 203, "body": "'"$MSG_JSON"'"},
  "sk-ant-test-malformed-plain-Mm05": {"body": "'"$MSG_JSON"'"},
  "'$NEXT'": {"text": "served by the next key"}}}'

pool() {
    setup_pool "first $1" "second $NEXT"
    STATE="$T/state-$1/state.json"
}

for key in sk-ant-test-malformed-html-Mm001 sk-ant-test-malformed-json-Mm002 sk-ant-test-malformed-trunc-Mm03; do
    pool "$key"
    for cmd in ask stream; do
        run_pool "$cmd" "hi"
        expect_rc 1
        expect_out_empty
        [[ -s "$T/err" ]] || fail "$key/$cmd: nothing on stderr"
        expect_key_requests "$NEXT" 0
        [[ "$(key_field first state)" == ready ]] || fail "$key/$cmd: a malformed answer marked the key"
    done
done
# --json still does not print a malformed body as if it were an answer... but
# the error goes to stderr as one JSON line.
pool sk-ant-test-malformed-html-Mm001
run_pool ask --json "hi"
expect_rc 1
stderr_json_line

pool sk-ant-test-malformed-502-Mm0004
for cmd in ask stream; do
    run_pool "$cmd" "hi"
    expect_rc 1
    expect_out_empty
    expect_err_contains "502"
    expect_err_contains "Bad gateway from the proxy"
    expect_err_contains "req_test_502"
    expect_key_requests "$NEXT" 0
done
run_pool ask --json "hi"
expect_rc 1
stderr_json_line
run_pool stream --raw "hi"
expect_rc 1
stderr_json_line

# An error body without the outer "type": the JSON line always has it.
pool sk-ant-test-malformed-noouter-M6
run_pool ask --json "hi"
expect_rc 1
stderr_json_line
expect_err_contains "no outer type here"
expect_err_contains "invalid_request_error"
run_pool ask "hi"
expect_rc 1
expect_err_contains "400"
expect_err_contains "invalid_request_error"
expect_err_contains "no outer type here"

# Key-specific statuses are key-specific whatever the body: an HTML 429 cools
# the key and an HTML 401 disables it; the next key serves.
for cmd in ask stream; do
    setup_pool "html429 sk-ant-test-malformed-429html-M7" "html401 sk-ant-test-malformed-401html-M8" "next $NEXT"
    STATE="$T/state-html-$cmd/state.json"
    t0=$(now_ms)
    run_pool "$cmd" "hi"
    expect_rc 0
    expect_out_eq "served by the next key"
    [[ "$(key_field html429 state)" == cooling ]] || fail "$cmd: an HTML 429 did not cool the key: $(cat "$T/status.json")"
    expect_cooldown html429 30000 "$t0" "$cmd: an HTML 429 with retry-after 30"
    [[ "$(key_field html401 state)" == disabled ]] || fail "$cmd: an HTML 401 did not disable the key: $(cat "$T/status.json")"
done

# Any 2xx is an answer.
pool sk-ant-test-malformed-203-Mm0009
run_pool ask "hi"
expect_rc 0
expect_out_exact $'plain answer\n'

# A server that ignored "stream": true and answered a plain message.
pool sk-ant-test-malformed-plain-Mm05
run_pool stream "hi"
expect_rc 0
expect_out_exact $'plain answer\n'
echo "ok"
