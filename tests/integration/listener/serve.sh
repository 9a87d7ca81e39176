#!/usr/bin/env bash
# docs/contract.md ("The pool behind any tool"): `bridge serve` forwards a
# request under /anthropic/ through the pool: a 429 fails over before the
# client sees a byte, the token never reaches the upstream, a request without
# the token is refused at once and reaches nothing, the answer names the key
# by label, -v says one line per request, `keys status` shows what the
# listener learned; SIGINT and SIGTERM stop it; a prefix without keys, an unknown prefix, batches and
# non-loopback addresses are refused.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/listener.sh
source "$(dirname "$0")/../lib/listener.sh"

failover_pool listen

# Not on loopback: refused before anything listens.
for address in 0.0.0.0:0 10.1.2.3:8787 example.com:80; do
    run_bridge serve --listen "$address" --token-file "$T/t0" --key-file "$KEYS" --state "$STATE"
    expect_rc 78
    expect_err_contains "loopback only"
done
[[ ! -e "$T/t0" ]] || fail "a refused serve made a token file"

start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" -v
[[ "$(stat -c %a "$T/token")" == 600 ]] || fail "token file mode $(stat -c %a "$T/token")"
[[ ${#TOKEN} -eq 64 && "$TOKEN" =~ ^[0-9a-f]+$ ]] || fail "token is not 256 bits of hex: $TOKEN"

# No token, a wrong one, one in the wrong place: 401, and the mock saw nothing.
lcurl "$A_URL/v1/messages" -H 'content-type: application/json' -d "$BODY"
[[ "$CODE" == 401 ]] || fail "no token: status $CODE"
grep -q '"authentication_error"' "$T/body" || fail "no token: body $(cat "$T/body")"
lcurl "$A_URL/v1/messages" -H "x-api-key: ${TOKEN}0" -d "$BODY"
[[ "$CODE" == 401 ]] || fail "wrong token: status $CODE"
lcurl "$A_URL/v1/messages" -H "x-token: $TOKEN" -d "$BODY"
[[ "$CODE" == 401 ]] || fail "token in another header: status $CODE"
expect_requests 0

# With the token: the first key's 429 fails over, the client sees the 200.
lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -H 'anthropic-version: 2023-06-01' \
    -H 'anthropic-beta: test-beta' -H 'content-type: application/json' -d "$BODY"
expect_second_key
expect_key_requests "$K1" 1
expect_key_requests "$K2" 1
# The end-to-end headers went on; the token never did.
expect_mock_log_contains '"anthropic-beta":"test-beta"'
expect_mock_log_contains '"anthropic-version":"2023-06-01"'
expect_mock_log_not_contains "$TOKEN"

# As a bearer token too; the cooling key is skipped.
lcurl "$A_URL/v1/messages" -H "authorization: Bearer $TOKEN" -d "$BODY"
[[ "$CODE" == 200 ]] || fail "bearer token: status $CODE"
expect_key_requests "$K1" 1
expect_key_requests "$K2" 2

# keys status shows what the listener learned.
keys_status
[[ "$(key_field one state)" == cooling ]] || fail "key one not cooling: $(cat "$T/status.json")"

# No OpenAI keys: 503 in OpenAI's error shape; unknown prefix 404; batches
# and files refused (501); none reaches the mock.
before=$(mock_requests)
lcurl "$O_URL/chat/completions" -H "authorization: Bearer $TOKEN" -d '{"model":"gpt-x"}'
[[ "$CODE" == 503 ]] || fail "openai without keys: status $CODE"
grep -q '^{"error":{"message":"bridge has no openai keys' "$T/body" || fail "openai 503 body: $(cat "$T/body")"
lcurl "${A_URL%/anthropic}/elsewhere/v1/messages" -H "x-api-key: $TOKEN" -d "$BODY"
[[ "$CODE" == 404 ]] || fail "unknown prefix: status $CODE"
for path in /v1/messages/batches /v1/messages/batches/msgbatch_1/results /v1/files; do
    lcurl "$A_URL$path" -H "x-api-key: $TOKEN"
    [[ "$CODE" == 501 ]] || fail "$path: status $CODE"
    grep -q 'batches or files' "$T/body" || fail "$path: body $(cat "$T/body")"
done
[[ "$(mock_requests)" == "$before" ]] || fail "a refused request reached the mock"

# Any path goes through: a GET of /v1/models with the query.
lcurl "$A_URL/v1/models?limit=1" -H "x-api-key: $TOKEN"
[[ "$CODE" == 200 ]] || fail "GET /v1/models: status $CODE"
expect_mock_log_contains '"method":"GET","path":"/v1/models"'

# -v: one line per request.
grep -q '^bridge: POST /anthropic/v1/messages model=claude-sonnet-4-5 key=two (sk-a' "$T/serve.err" ||
    fail "-v line: $(cat "$T/serve.err")"
grep -q '^bridge: POST /anthropic/v1/messages model=- key=- 401 ' "$T/serve.err" ||
    fail "-v line of a 401: $(cat "$T/serve.err")"
! grep -q "$K2\|$TOKEN" "$T/serve.err" || fail "a key or the token in -v output"

stop_serve
[[ "$SERVE_RC" == 0 ]] || fail "serve after SIGTERM: exit $SERVE_RC"

# The token file is kept: the next serve uses the same token. SIGINT stops
# it as SIGTERM does.
old=$TOKEN
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL"
[[ "$TOKEN" == "$old" ]] || fail "the token changed across restarts"
kill -INT "$BRIDGE_PID"
rc=0
wait "$BRIDGE_PID" || rc=$?
BRIDGE_PID=
[[ "$rc" == 0 ]] || fail "serve after SIGINT: exit $rc"
