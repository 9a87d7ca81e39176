#!/usr/bin/env bash
# Checks the mock upstream itself, with curl only, so that a failing bridge
# test can be trusted to be about bridge and not about its test double.
# Needs BRIDGE_MOCK; does not need BRIDGE.
# start_mock exports MOCK_URL_<name> at run time, out of shellcheck's sight.
# shellcheck disable=SC2154
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

# curl with bounded time and never a proxy; -sS keeps errors visible.
c() {
    local rc=0
    curl --noproxy '*' --max-time 10 -sS "$@" || rc=$?
    if ((rc != 0)); then
        echo "(curl exited $rc: curl $*)" >&2
    fi
    return "$rc"
}

# post KEY BODY [curl options...]: POST /v1/messages to $MOCK_URL.
post() {
    local key=$1 body=$2
    shift 2
    c "$@" -H "x-api-key: $key" -H 'content-type: application/json' \
        -H 'anthropic-version: 2023-06-01' -d "$body" "$MOCK_URL/v1/messages"
}

check() {
    local what=$1
    shift
    "$@" || fail "$what"
}

# The `event:` names of an SSE file, one line, space separated.
event_names() {
    sed -n 's/^event: //p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

start_mock '{
  "keys": {
    "K-RL":  [ {"status": 429, "headers": {"retry-after-ms": "1500", "retry-after": 2}},
               {"text": "second answer"},
               {"status": 500} ],
    "K-STREAM": {"deltas": ["Hel", "lo, ", "wörld"]},
    "K-PING":  {"text": "abc", "ping": true},
    "K-ERR":   {"error_after": 1, "error_type": "overloaded_error", "error_message": "busy now"},
    "K-DROP":  {"drop_after": 2},
    "K-HTML":  {"status": 502, "body": "<html><body>Bad gateway</body></html>", "content_type": "text/html"},
    "K-BYTES": {"stream_bytes": 10000, "delta_size": 1000},
    "K-CUT":   {"drop_after": 40},
    "K-GATE":  {"deltas": ["first-piece ", "second-piece ", "third-piece"], "gate_file": "'"$T"'/gate"},
    "K-403":   {"status": 403}
  },
  "default": {"status": 529}
}'

# --- a 429 with retry-after-ms, then the sequence for that key -------------
post K-RL '{"model":"m-test","max_tokens":5}' -D "$T/h1" -o "$T/b1"
check "429 status line" grep -q '^HTTP/1.1 429' "$T/h1"
check "retry-after-ms header" grep -qi '^retry-after-ms: 1500' "$T/h1"
check "retry-after header" grep -qi '^retry-after: 2' "$T/h1"
check "request-id header" grep -qi '^request-id: req_mock_1' "$T/h1"
check "429 error body" grep -qF '{"type":"error","error":{"type":"rate_limit_error","message":' "$T/b1"

post K-RL '{"model":"m-test","max_tokens":5}' -D "$T/h2" -o "$T/b2"
check "second answer is 200" grep -q '^HTTP/1.1 200' "$T/h2"
check "message shape" grep -qF '{"id":"msg_mock_2","type":"message","role":"assistant","model":"m-test","content":[{"type":"text","text":"second answer"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":' "$T/b2"

for n in 3 4; do
    post K-RL '{}' -D "$T/h$n" -o "$T/b$n"
    check "request $n gets the last element (500)" grep -q '^HTTP/1.1 500' "$T/h$n"
    check "500 is api_error" grep -qF '"type":"api_error"' "$T/b$n"
done

post K-403 '{}' -o "$T/b403"
check "403 is permission_error" grep -qF '"type":"permission_error"' "$T/b403"

# --- the probe route (keys check): a key scripted 403 is refused there too --
c -o "$T/p403" -D "$T/hp403" -H 'x-api-key: K-403' "$MOCK_URL/v1/models?limit=1"
check "probe of a 403 key: 403" grep -q '^HTTP/1.1 403' "$T/hp403"
check "probe of a 403 key: permission_error" grep -qF '"type":"permission_error"' "$T/p403"
c -o "$T/pok" -D "$T/hpok" -H 'x-api-key: K-STREAM' "$MOCK_URL/v1/models?limit=1"
check "probe of a working key: 200" grep -q '^HTTP/1.1 200' "$T/hpok"
check "probe lists a model" grep -qF '"type":"model"' "$T/pok"
c -o "$T/poai" -D "$T/hpoai" -H 'authorization: Bearer K-403' "$MOCK_URL/v1/models"
check "OpenAI probe of a 403 key: 403" grep -q '^HTTP/1.1 403' "$T/hpoai"

# Unknown key: the default (529 overloaded_error).
post K-UNKNOWN '{}' -D "$T/h5" -o "$T/b5"
check "unknown key gets the default" grep -q '^HTTP/1.1 529' "$T/h5"
check "529 is overloaded_error" grep -qF '"type":"overloaded_error"' "$T/b5"

# Bodies are never compressed, whatever the client accepts: tests count bytes.
post K-UNKNOWN '{}' -H 'accept-encoding: gzip, br' -D "$T/hz" -o "$T/bz"
! grep -qi '^content-encoding' "$T/hz" || fail "the mock compressed a body"
check "uncompressed body" grep -qF '"type":"overloaded_error"' "$T/bz"

# A hostile raw body is sent as it is.
post K-HTML '{}' -D "$T/h6" -o "$T/b6"
check "raw body status" grep -q '^HTTP/1.1 502' "$T/h6"
check "raw body content type" grep -qi '^content-type: text/html' "$T/h6"
[[ "$(cat "$T/b6")" == '<html><body>Bad gateway</body></html>' ]] || fail "raw body not verbatim: $(cat "$T/b6")"

# --- streaming ----------------------------------------------------------------
post K-STREAM '{"model":"m-s","stream":true}' -N -D "$T/hs" -o "$T/s1"
check "stream content type" grep -qi '^content-type: text/event-stream' "$T/hs"
check "stream is chunked" grep -qi '^transfer-encoding: chunked' "$T/hs"
got=$(event_names "$T/s1")
want="message_start content_block_start content_block_delta content_block_delta content_block_delta content_block_stop message_delta message_stop"
[[ "$got" == "$want" ]] || fail "stream event order: got '$got', want '$want'"
check "message_start data" grep -qF 'data: {"type":"message_start","message":{"id":"msg_mock_' "$T/s1"
check "message_start model" grep -qF '"model":"m-s","content":[],"stop_reason":null' "$T/s1"
check "content_block_start data" grep -qF 'data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}' "$T/s1"
check "delta data" grep -qF 'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"wörld"}}' "$T/s1"
check "message_delta data" grep -qF 'data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":' "$T/s1"

# Without "stream": true the same key answers with a blocking message.
post K-STREAM '{"model":"m-s"}' -o "$T/s1b"
check "deltas joined for a blocking answer" grep -qF '"text":"Hello, wörld"' "$T/s1b"

post K-PING '{"stream":true}' -N -o "$T/s2"
check "ping events" grep -qx 'event: ping' "$T/s2"
check "keep-alive comment" grep -qx ': keep-alive' "$T/s2"

post K-ERR '{"stream":true}' -N -o "$T/s3" || fail "error_after must end the response cleanly"
got=$(event_names "$T/s3")
want="message_start content_block_start content_block_delta error"
[[ "$got" == "$want" ]] || fail "error_after event order: got '$got', want '$want'"
check "error event data" grep -qF 'data: {"type":"error","error":{"type":"overloaded_error","message":"busy now"}}' "$T/s3"

rc=0
post K-DROP '{"stream":true}' -N -o "$T/s4" 2>"$T/curl4" || rc=$?
[[ $rc -ne 0 ]] || fail "drop_after: curl should report a truncated transfer"
got=$(event_names "$T/s4")
want="message_start content_block_start content_block_delta content_block_delta"
[[ "$got" == "$want" ]] || fail "drop_after events: got '$got', want '$want'"

# drop_after on a blocking answer counts body bytes.
rc=0
post K-CUT '{}' -o "$T/b7" 2>/dev/null || rc=$?
[[ $rc -ne 0 ]] || fail "drop_after on a blocking answer: curl should report a truncated transfer"
[[ $(wc -c <"$T/b7") -eq 40 ]] || fail "drop_after 40 sent $(wc -c <"$T/b7") bytes"

post K-BYTES '{"stream":true}' -N -o "$T/s5"
[[ $(grep -c '^event: content_block_delta' "$T/s5") -eq 10 ]] || fail "stream_bytes: expected 10 deltas"
text_bytes=$(sed -n 's/^data: {"type":"content_block_delta".*"text":"\(.*\)"}}$/\1/p' "$T/s5" | tr -d '\n' | wc -c)
[[ $text_bytes -eq 10000 ]] || fail "stream_bytes: expected 10000 text bytes, got $text_bytes"
check "stream_bytes ends properly" grep -qx 'event: message_stop' "$T/s5"

# --- gate_file: the first delta arrives while the rest is held back -----------
: >"$T/g.out"
c -N -H 'x-api-key: K-GATE' -d '{"stream":true}' "$MOCK_URL/v1/messages" >"$T/g.out" 2>"$T/g.err" &
gate_curl=$!
for ((i = 0; i < 100; i++)); do
    grep -qF 'first-piece' "$T/g.out" && break
    sleep 0.05
done
check "first delta before the gate opens" grep -qF 'first-piece' "$T/g.out"
sleep 0.3
! grep -qF 'second-piece' "$T/g.out" || fail "second delta was sent before the gate opened"
touch "$T/gate"
wait "$gate_curl" || fail "gated stream did not complete: $(cat "$T/g.err")"
check "rest after the gate" grep -qF 'third-piece' "$T/g.out"
check "gated stream completes" grep -qx 'event: message_stop' "$T/g.out"

# --- the request log and the stats ----------------------------------------------
log=$(mock_log)
[[ $(wc -l <"$log") -eq $(mock_requests) ]] || fail "log lines and request count differ"
check "log line shape" grep -qF '{"n":1,"conn":1,"method":"POST","path":"/v1/messages","key":"K-RL","headers":{' "$log"
check "log headers lower-cased" grep -qF '"anthropic-version":"2023-06-01"' "$log"
check "log keeps accept-encoding" grep -qF '"accept-encoding":"gzip, br"' "$log"
check "log body parsed" grep -qF '"body":{"model":"m-test","max_tokens":5}' "$log"
[[ $(mock_key_requests K-RL) -eq 4 ]] || fail "by_key K-RL: $(mock_stats)"
[[ $(mock_key_requests K-NOPE) -eq 0 ]] || fail "by_key for an unused key"
before=$(mock_requests)
[[ $(mock_requests) -eq $before ]] || fail "the stats endpoint counted itself"

# --- keep-alive: connections are counted per TCP connection ---------------------
start_mock '{"default": {}}' ka
c -o /dev/null -H 'x-api-key: A' -d '{}' "$MOCK_URL_ka/v1/messages" \
    --next -o /dev/null -H 'x-api-key: B' -d '{}' "$MOCK_URL_ka/v1/messages"
expect_requests 2 ka
expect_connections 1 ka
check "both requests logged on connection 1" \
    test "$(grep -c '"conn":1,' "$(mock_log ka)")" -eq 2

start_mock '{"default": {}}' sep
c -o /dev/null -d '{}' "$MOCK_URL_sep/v1/messages"
c -o /dev/null -d '{}' "$MOCK_URL_sep/v1/messages"
expect_requests 2 sep
expect_connections 2 sep
check "no key logged as null" grep -qF '"key":null' "$(mock_log sep)"

# A redirect target records any path and method; no script is needed.
c -o "$T/land" -X PUT -H 'x-api-key: LEAK' -d 'moved' "$MOCK_URL_sep/landing?x=1"
[[ "$(cat "$T/land")" == '{"ok":true}' ]] || fail "landing answer: $(cat "$T/land")"
check "landing logged" grep -qF '"method":"PUT","path":"/landing","key":"LEAK"' "$(mock_log sep)"
check "landing body logged as a string" grep -qF '"body":"moved"' "$(mock_log sep)"

# A mock with no default refuses unknown keys with 401.
start_mock '{"keys": {"X": {}}}' nodefault
c -o "$T/b8" -D "$T/h8" -H 'x-api-key: Y' -d '{}' "$MOCK_URL_nodefault/v1/messages"
check "no default: 401" grep -q '^HTTP/1.1 401' "$T/h8"
check "no default: authentication_error" grep -qF '"type":"authentication_error"' "$T/b8"

# A malformed script is refused at start, naming the field.
printf '%s' '{"default": {"stauts": 200}}' >"$T/bad.json"
rc=0
"$BRIDGE_MOCK" --script "$T/bad.json" --port-file "$T/bad.port" 2>"$T/bad.err" || rc=$?
[[ $rc -eq 2 ]] || fail "bad script: exit $rc"
check "bad script names the field" grep -qF "stauts" "$T/bad.err"

# --- SIGTERM ends the mock promptly, even with a stream stalled mid-way --------
start_mock '{"default": {"stall_after": 1, "stall_ms": 60000}}' stall
: >"$T/stall.out"
c -N -d '{"stream":true}' "$MOCK_URL_stall/v1/messages" >"$T/stall.out" 2>/dev/null &
stall_curl=$!
for ((i = 0; i < 100; i++)); do
    grep -qF 'content_block_delta' "$T/stall.out" && break
    sleep 0.05
done
check "stalled stream started" grep -qF 'content_block_delta' "$T/stall.out"
t0=$(date +%s%N)
stop_mock stall
elapsed_ms=$((($(date +%s%N) - t0) / 1000000))
# A hang guard, not a speed test: the stalled stream would hold it 60 s.
((elapsed_ms < 30000)) || fail "the mock took ${elapsed_ms} ms to stop (a stalled stream held it)"
wait "$stall_curl" 2>/dev/null || true

echo "mock self-test passed"
