#!/usr/bin/env bash
# A Redis server that refuses what the URL told bridge to use (a wrong
# password, a disabled user, no password, a database it does not have) is a
# configuration error, not an outage (docs/redis.md, "Faults"):
#   - ask falls back to the local state file with one warning that says
#     "configuration error" and which password was refused (REDISCLI_AUTH or
#     the URL), and is served;
#   - keys reset (labels or --all) and keys check's clearing of disabled
#     marks exit 78, not 69, and change nothing;
#   - the server's own words join bridge's cleanly (no ".;" nor ". (").
# Against a real redis-server started with a password (requirepass).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_DEAD=sk-ant-test-wrongpw-dead-0001
K_GOOD=sk-ant-test-wrongpw-good-0002
start_mock '{"keys": {"'$K_DEAD'": {"status": 401}, "'$K_GOOD'": {"text": "served"}}}'
start_redis
setup_pool "dead $K_DEAD" "good $K_GOOD"
URL="$REDIS_URL?timeout=$REDIS_TIMEOUT_MS"
STATE=$URL

# A mark on the server, made with the right password: dead is disabled.
REDISCLI_AUTH=$REDIS_PASSWORD run_pool ask --no-stdin hi
expect_rc 0
[[ $(redis_marks bridge: | wc -l) -eq 1 ]] || fail "setup: no mark on the server"

# expect_clean_joins: the server's text ("... or user is disabled.") joins
# bridge's words without a stray full stop.
expect_clean_joins() {
    expect_err_not_contains ".;"
    expect_err_not_contains ". ("
    expect_err_not_contains "$REDIS_PASSWORD"
    expect_err_not_contains "wrong-pw"
}

# --- a wrong password in REDISCLI_AUTH ---------------------------------------------
export REDISCLI_AUTH=wrong-pw
machine wrong
on_machine wrong run_pool ask --no-stdin hi
expect_rc 0
expect_out_eq "served"
[[ $(grep -c 'warning: shared state' "$T/err") -eq 1 ]] || fail "a refused password: one warning"
expect_err_contains "shared state redis://127.0.0.1:$REDIS_PORT/0: configuration error: the password from REDISCLI_AUTH was refused: WRONGPASS"
expect_err_contains "using the local state file $(machine_state wrong) until the set-up is fixed"
expect_clean_joins
for reset in "dead" "--all" ""; do
    # shellcheck disable=SC2086 # no word, one label, or --all
    on_machine wrong run_pool keys reset $reset
    expect_rc 78
    expect_err_contains "cannot reset the marks on redis://127.0.0.1:$REDIS_PORT/0: configuration error: the password from REDISCLI_AUTH was refused: WRONGPASS invalid username-password pair or user is disabled"
    expect_clean_joins
done
expect_err_contains "user is disabled; nothing was changed"
# keys check: the probe of dead answers 200 (its key works again), so its
# disabled mark would be cleared: not with a refused password.
start_mock '{"keys": {"'$K_DEAD'": {"text": "back"}, "'$K_GOOD'": {"text": "served"}}}' back
POOL_URL=$(mock_url back) on_machine wrong run_pool keys check
expect_rc 78
expect_out_contains "ok"
expect_err_contains "cannot clear the disabled marks on redis://127.0.0.1:$REDIS_PORT/0: configuration error: the password from REDISCLI_AUTH was refused"
expect_clean_joins
[[ $(redis_marks bridge: | wc -l) -eq 1 ]] || fail "a refused password changed the server"

# --- a wrong password in the URL ----------------------------------------------------
unset REDISCLI_AUTH
STATE="redis://:wrong-pw@127.0.0.1:$REDIS_PORT?timeout=$REDIS_TIMEOUT_MS"
on_machine wrong run_pool keys reset dead
expect_rc 78
expect_err_contains "the password in the URL was refused: WRONGPASS"
expect_clean_joins

# --- no password at all: the server needs one ------------------------------------------
STATE=$URL
on_machine wrong run_pool keys reset dead
expect_rc 78
expect_err_contains "configuration error: the server needs a password"
expect_clean_joins

# --- a disabled user ---------------------------------------------------------------
redis_cli ACL SETUSER fleet off '>fleet-pw' '~*' '+@all' >/dev/null
STATE="redis://fleet@127.0.0.1:$REDIS_PORT?timeout=$REDIS_TIMEOUT_MS"
REDISCLI_AUTH=fleet-pw on_machine wrong run_pool keys reset dead
expect_rc 78
expect_err_contains "the user 'fleet' or its password from REDISCLI_AUTH was refused: WRONGPASS"
expect_clean_joins
REDISCLI_AUTH=fleet-pw on_machine wrong run_pool ask --no-stdin hi
expect_rc 0
expect_err_contains "configuration error: the user 'fleet'"

# --- a database the server does not have ----------------------------------------------
STATE="redis://127.0.0.1:$REDIS_PORT/99?timeout=$REDIS_TIMEOUT_MS"
REDISCLI_AUTH=$REDIS_PASSWORD on_machine wrong run_pool keys reset dead
expect_rc 78
expect_err_contains "configuration error: SELECT 99 was refused (the URL's database)"

# --- the right password: the same commands work ----------------------------------------
STATE=$URL
[[ $(redis_marks bridge: | wc -l) -eq 1 ]] || fail "the mark was changed by a refused command"
REDISCLI_AUTH=$REDIS_PASSWORD on_machine wrong run_pool keys reset dead
expect_rc 0
expect_err_contains "cleared 1 mark"
echo ok
