#!/usr/bin/env bash
# Hostile upstream: error answers whose body is not the API's JSON error
# (a proxy's plain text, JSON of the wrong shape, nothing at all, a huge
# page). docs/contract.md (the failover walk)/§6: the status alone decides the walk (429 cools, 401/403
# disable, anything else is reported at once with exit 1); the report names
# the status and the request-id, stays short, and with --json is one JSON
# line of the upstream shape. Never a crash.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/hostile.sh
source "$(dirname "$0")/../lib/hostile.sh"

# A 2 MB plain-text page: the report must quote an excerpt, not all of it.
big_page=$(head -c 2000000 /dev/zero | tr '\0' 'x')
start_mock '{"keys": {
  "sk-ant-nj-plain500-aaaaaaaaaaaaaaaa": {"status": 500, "body": "Internal Server Error: upstream connect error or disconnect/reset before headers", "content_type": "text/plain"},
  "sk-ant-nj-plain429-aaaaaaaaaaaaaaaa": {"status": 429, "body": "Too Many Requests", "content_type": "text/plain"},
  "sk-ant-nj-array401-aaaaaaaaaaaaaaaa": {"status": 401, "body": "[1, 2, 3]"},
  "sk-ant-nj-null403-aaaaaaaaaaaaaaaaa": {"status": 403, "body": "null"},
  "sk-ant-nj-good-bbbbbbbbbbbbbbbbbbbb": {"text": "fine"},
  "sk-ant-nj-wrongtype-aaaaaaaaaaaaaaa": {"status": 400, "body": "{\"type\":\"error\",\"error\":{\"type\":123,\"message\":null}}"},
  "sk-ant-nj-string-aaaaaaaaaaaaaaaaaa": {"status": 400, "body": "\"just a string\""},
  "sk-ant-nj-errstring-aaaaaaaaaaaaaaa": {"status": 400, "body": "{\"error\":\"flat string\"}"},
  "sk-ant-nj-empty-aaaaaaaaaaaaaaaaaaa": {"status": 503, "body": ""},
  "sk-ant-nj-huge-aaaaaaaaaaaaaaaaaaaa": {"status": 500, "body": "'"$big_page"'", "content_type": "text/plain"}
}}'

pool() {
    local name=$1
    shift
    KEYS="$T/keys-$name"
    (umask 077 && printf '%s\n' "$@" >"$KEYS")
}
ask() {
    run_bridge ask --no-stdin --key-file "$KEYS" --state "$T/state/state.json" --base-url "$MOCK_URL" "$@" q
    sane
}

# --- a plain-text 500: exit 1, status, excerpt and request-id; no failover ----
pool p500 "a sk-ant-nj-plain500-aaaaaaaaaaaaaaaa" "b sk-ant-nj-good-bbbbbbbbbbbbbbbbbbbb"
ask
expect_rc 1
expect_out_empty
expect_err_contains "500"
expect_err_contains "Internal Server Error: upstream connect error"
expect_err_contains "req_mock_"
expect_key_requests sk-ant-nj-good-bbbbbbbbbbbbbbbbbbbb 0

ask --json
expect_rc 1
expect_out_empty
[[ $(wc -l <"$T/err") -eq 1 ]] || fail "--json: stderr must be one line"
grep -qE '^\{"type":"error","error":\{"type":"api_error","message":"[^"]*500[^"]*"' "$T/err" ||
    fail "--json: not one JSON error line of the upstream shape naming the status"

# --- status decides the walk even without a JSON body -------------------------
pool p429 "a sk-ant-nj-plain429-aaaaaaaaaaaaaaaa" "b sk-ant-nj-array401-aaaaaaaaaaaaaaaa" \
    "c sk-ant-nj-null403-aaaaaaaaaaaaaaaaa" "d sk-ant-nj-good-bbbbbbbbbbbbbbbbbbbb"
ask -v
expect_rc 0
expect_out_eq "fine"
expect_err_contains "key a (sk-a...aaaa): 429"
expect_err_contains "cooling for 1m00s"
expect_err_contains "key b (sk-a...aaaa): 401"
expect_err_contains "key c (sk-a...aaaa): 403"
expect_err_contains "answer served by key d"
run_bridge keys status --json -m claude-sonnet-4-5 --key-file "$KEYS" --state "$T/state/state.json"
sane
# The rows for the model asked (a 429 cools its key for that model).
STATE=$T/state/state.json
[[ "$(key_field a state)" == cooling ]] || fail "a plain-text 429 did not cool its key: $(cat "$T/status.json")"
[[ "$(key_field b state)" == disabled ]] || fail "a 401 with a JSON array body did not disable its key: $(cat "$T/status.json")"
[[ "$(key_field c state)" == disabled ]] || fail "a 403 with a null body did not disable its key: $(cat "$T/status.json")"

# --- JSON of the wrong shape, or no body: exit 1 with the status -------------
for key in sk-ant-nj-wrongtype-aaaaaaaaaaaaaaa sk-ant-nj-string-aaaaaaaaaaaaaaaaaa sk-ant-nj-errstring-aaaaaaaaaaaaaaa; do
    pool one "x $key"
    ask
    expect_rc 1
    expect_out_empty
    expect_err_contains "400"
    expect_err_contains "req_mock_"
    [[ $(wc -l <"$T/err") -eq 1 ]] || fail "the report of a malformed error body is not one line"
    ask --json
    expect_rc 1
    grep -qE '^\{"type":"error","error":\{"type":"[a-z_]+","message":"' "$T/err" ||
        fail "--json: a malformed error body must still give the upstream shape"
done

pool empty "x sk-ant-nj-empty-aaaaaaaaaaaaaaaaaaa"
ask
expect_rc 1
expect_err_contains "503"
ask --json
expect_rc 1
grep -qE '^\{"type":"error","error":\{"type":"[a-z_]+","message":"[^"]*503' "$T/err" ||
    fail "--json: an empty 503 must be reported with its status"

# --- a 2 MB page: reported as an excerpt ------------------------------------------
pool huge "x sk-ant-nj-huge-aaaaaaaaaaaaaaaaaaaa"
ask
expect_rc 1
expect_err_contains "500"
size=$(wc -c <"$T/err")
((size < 2000)) || fail "a 2 MB error page gave $size bytes on stderr; expected a short excerpt"
ask --json
expect_rc 1
size=$(wc -c <"$T/err")
((size < 2000)) || fail "--json: a 2 MB error page gave $size bytes on stderr; expected a short excerpt"

echo "hostile_non_json_error passed"
