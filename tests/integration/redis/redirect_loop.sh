#!/usr/bin/env bash
# A server that answers every command with a MOVED to itself (a Redis
# Cluster node gone wrong, or a hostile one): bridge follows a command's
# redirections five times, then gives up on it with one warning naming the
# loop and falls back to the local state file; the request is still served.
# The give-up is kept for the invocation: six EVALSHA in all, not six per
# command. A change (keys reset) exits 69 naming the loop.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_ONE=sk-ant-test-redirect-loop-0001
start_mock '{"default": {"text": "served"}}'
setup_pool "one $K_ONE"
start_hostile_redis moved
STATE="redis://127.0.0.1:$HOSTILE_PORT?timeout=10000"

run_pool ask "hi"
expect_rc 0
expect_out_eq "served"
expect_err_contains "shared state redis://127.0.0.1:$HOSTILE_PORT/0: more than 5 redirections of one command (the last: MOVED to 127.0.0.1:$HOSTILE_PORT): a redirection loop"
warnings=$(grep -c warning "$T/err" || true)
[[ $warnings -eq 1 ]] || fail "$warnings warnings, not one"
evals=$(grep -c '^EVALSHA' "$HOSTILE_RECORD" || true)
expect_between "$evals" 6 6 "EVALSHA sent to a server that redirects for ever"

run_pool keys reset one
expect_rc 69
expect_err_contains "redirection loop"
expect_err_contains "nothing was changed"
echo "ok"
