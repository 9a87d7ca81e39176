#!/usr/bin/env bash
# docs/contract.md ("The pool behind any tool"): `bridge serve --listen
# unix:PATH` serves on a unix socket made 0600: --print-env names the socket
# (BRIDGE_UNIX_SOCKET) and the token (BRIDGE_TOKEN), a request through it
# (curl --unix-socket) walks the pool (a 429 fails over), the token is still
# required, and the socket file is removed when serve stops. What is in the
# way at PATH (a regular file, a symlink, a socket that is served, a path
# too long for a socket address, a folder other users can write to) is
# refused with exit 78 (69 for a socket that is served) and left as it was;
# a stale socket of a stopped listener is replaced.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/listener.sh
source "$(dirname "$0")/../lib/listener.sh"

failover_pool unix
SOCK=$T/bridge.sock

SERVE_LISTEN=unix:$SOCK
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL"
[[ "$UNIX_SOCKET" == "$SOCK" ]] || fail "--print-env: $(cat "$T/serve.env")"
grep -qx "export BRIDGE_TOKEN=$TOKEN" "$T/serve.env" || fail "--print-env: no BRIDGE_TOKEN"
! grep -q 'BASE_URL\|_API_KEY' "$T/serve.env" || fail "--print-env pointed a TCP client somewhere"
[[ -S "$SOCK" && "$(stat -c %a "$SOCK")" == 600 ]] || fail "socket mode $(stat -c %a "$SOCK")"

# Without the token: 401, nothing upstream.
lcurl --unix-socket "$SOCK" "$A_URL/v1/messages" -d "$BODY"
[[ "$CODE" == 401 ]] || fail "no token over the socket: status $CODE"
expect_requests 0
# With it: the first key's 429 fails over to the second.
lcurl --unix-socket "$SOCK" "$A_URL/v1/messages" -H "x-api-key: $TOKEN" \
    -H 'content-type: application/json' -d "$BODY"
expect_second_key
expect_key_requests "$K1" 1
expect_key_requests "$K2" 1
expect_mock_log_not_contains "$TOKEN"

# A second listener on the same socket: refused, the first goes on.
run_bridge serve --listen "unix:$SOCK" --token-file "$T/token" --key-file "$KEYS" --state "$STATE"
expect_rc 69
expect_err_contains "another listener is serving"
lcurl --unix-socket "$SOCK" "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d "$BODY"
[[ "$CODE" == 200 ]] || fail "after the refused second listener: status $CODE"

stop_serve
[[ "$SERVE_RC" == 0 ]] || fail "serve exit $SERVE_RC: $(cat "$T/serve.err")"
[[ ! -e "$SOCK" ]] || fail "the socket file was left behind"

# Hostile paths: refused, exit 78, and left as they were.
echo precious >"$T/file"
run_bridge serve --listen "unix:$T/file" --token-file "$T/token" --key-file "$KEYS" --state "$STATE"
expect_rc 78
expect_err_contains "not a socket"
[[ "$(cat "$T/file")" == precious ]] || fail "a regular file in the way was changed"

ln -s "$T/file" "$T/link"
run_bridge serve --listen "unix:$T/link" --token-file "$T/token" --key-file "$KEYS" --state "$STATE"
expect_rc 78
expect_err_contains "symbolic link"
[[ -L "$T/link" && "$(cat "$T/file")" == precious ]] || fail "a symlink in the way was changed"
ln -s "$T/nowhere.sock" "$T/dangling"
run_bridge serve --listen "unix:$T/dangling" --token-file "$T/token" --key-file "$KEYS" --state "$STATE"
expect_rc 78
[[ -L "$T/dangling" && ! -e "$T/nowhere.sock" ]] || fail "a dangling symlink was followed"

long=$T/$(printf 'x%.0s' {1..120}).sock
run_bridge serve --listen "unix:$long" --token-file "$T/token" --key-file "$KEYS" --state "$STATE"
expect_rc 78
expect_err_contains "longer than a socket address"

run_bridge serve --listen unix: --token-file "$T/token" --key-file "$KEYS" --state "$STATE"
expect_rc 78

mkdir -m 0777 "$T/open"
chmod 0777 "$T/open" # whatever the umask
run_bridge serve --listen "unix:$T/open/s.sock" --token-file "$T/token" --key-file "$KEYS" \
    --state "$STATE"
expect_rc 78
expect_err_contains "other users can write"
[[ ! -e "$T/open/s.sock" ]] || fail "a socket was made in a folder others can write to"

# A stale socket of ours (its listener died without removing it): replaced.
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL"
kill -KILL "$BRIDGE_PID"
wait "$BRIDGE_PID" 2>/dev/null || true
BRIDGE_PID=
[[ -S "$SOCK" ]] || fail "SIGKILL removed the socket?"
start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL"
lcurl --unix-socket "$SOCK" "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -d "$BODY"
[[ "$CODE" == 200 ]] || fail "on a replaced stale socket: status $CODE"
stop_serve
[[ "$SERVE_RC" == 0 && ! -e "$SOCK" ]] || fail "serve exit $SERVE_RC, or the socket was left"
