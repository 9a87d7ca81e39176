#!/usr/bin/env bash
# --state / BRIDGE_STATE as a Redis URL: a URL that does not parse, an
# unknown scheme, and rediss:// in a build without TLS for Redis are
# configuration errors (exit 78, never a file of that name); the password
# may come from the URL or REDISCLI_AUTH; written on the command line it gets
# a warning, in BRIDGE_STATE it does not; ?timeout, ?prefix and /DB work.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_RATE=sk-ant-test-url-rate-U0001
K_GOOD=sk-ant-test-url-good-U0002
start_mock '{"keys": {
  "'$K_RATE'": {"status": 429, "headers": {"retry-after": "60"}},
  "'$K_GOOD'": {"text": "served"}}}'
start_redis
setup_pool "rate $K_RATE" "good $K_GOOD"
mkdir -p "$T/cwd"
cd "$T/cwd"

for bad in "redis://127.0.0.1:notaport" "redis://127.0.0.1:$REDIS_PORT/x" "redis:/127.0.0.1" \
    "redis://127.0.0.1?colour=red" "unix://host/x.sock" "http://127.0.0.1/state" \
    "redis://:sekrit-pw@127.0.0.1:bad"; do
    for cmd in "ask hi" "keys status" "keys reset"; do
        STATE=$bad
        # shellcheck disable=SC2086 # cmd is two words
        run_pool $cmd
        expect_rc 78
        expect_err_contains "--state "
        expect_err_not_contains "sekrit-pw"
        [[ -z "$(ls -A "$T/cwd")" ]] || fail "'$bad' was taken as a file path: $(ls -A "$T/cwd")"
    done
    expect_requests 0
done
STATE="rediss://127.0.0.1:$REDIS_PORT"
run_pool ask "hi"
if grep -q 'without TLS support' "$T/err"; then
    expect_rc 78
    expect_err_contains "unix socket"
    expect_err_contains "stunnel"
else
    echo "note: this build has TLS for Redis; rediss:// is not refused"
fi
BRIDGE_STATE="redis://:pw@127.0.0.1:bad" run_bridge keys status --key-file "$KEYS"
expect_rc 78
# Named where it came from: the variable, not an option that was never given.
expect_err_contains "BRIDGE_STATE redis://***@127.0.0.1:bad: "
expect_err_not_contains "--state"

# The password in --state: it works, with a warning about ps.
STATE="redis://:$REDIS_PASSWORD@127.0.0.1:$REDIS_PORT/5?prefix=url:&timeout=$REDIS_TIMEOUT_MS"
run_pool ask "hi"
expect_rc 0
expect_out_eq "served"
expect_err_contains "warning"
expect_err_contains "REDISCLI_AUTH"
expect_err_not_contains "$REDIS_PASSWORD"
[[ $(redis_marks url: -n 5 | wc -l) -eq 1 ]] || fail "the mark is not in db 5 under prefix url:"

# In BRIDGE_STATE: no warning, and the mark is read back (the key is skipped).
BRIDGE_STATE=$STATE run_bridge ask --key-file "$KEYS" --base-url "$MOCK_URL" "hi"
expect_rc 0
expect_err_empty
expect_key_requests "$K_RATE" 1

# REDISCLI_AUTH and a unix socket.
REDISCLI_AUTH=$REDIS_PASSWORD BRIDGE_STATE="unix://$REDIS_SOCK?db=5&prefix=url:&timeout=$REDIS_TIMEOUT_MS" \
    run_bridge keys status --json --key-file "$KEYS"
expect_rc 0
expect_err_empty
expect_out_contains '"state": "cooling"'
[[ -z "$(ls -A "$T/cwd")" ]] || fail "files appeared in the working directory: $(ls -A "$T/cwd")"
echo "ok"
