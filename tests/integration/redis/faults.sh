#!/usr/bin/env bash
# A Redis server that cannot serve never fails a request: hung (SIGSTOP),
# killed, a closed port, a wrong or missing password. Each time the request
# is served, stderr holds exactly one warning naming the server (never the
# password) and what failed, the time bridge lost is bounded (bridge reports
# it: "gave up after N ms"), and the mark learned meanwhile is in the
# machine's local state file. A restarted server (empty, no scripts cached)
# is used again at once (EVALSHA answered NOSCRIPT, then EVAL).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_RATE=sk-ant-test-fault-rate-F001
K_GOOD=sk-ant-test-fault-good-F002
start_mock '{"keys": {
  "'$K_RATE'": {"status": 429, "headers": {"retry-after": "900"}},
  "'$K_GOOD'": {"text": "served"}}}'
start_redis
setup_pool "rate $K_RATE" "good $K_GOOD"

# one_fault NAME WHAT: a fresh machine asks once with Redis failing as WHAT
# says; checks the answer, the one warning, the bound and the local mark.
one_fault() {
    local name=$1 what=$2
    machine "$name"
    on_machine "$name" run_pool ask "hi"
    expect_rc 0
    expect_out_eq "served"
    [[ $(grep -c 'warning' "$T/err") -eq 1 ]] || fail "$name: expected one warning"
    expect_err_contains "shared state redis://127.0.0.1:$REDIS_PORT/0: $what"
    expect_err_contains "using the local state file $(machine_state "$name")"
    expect_err_not_contains "$REDIS_PASSWORD"
    expect_err_not_contains "wrong-pw"
    local spent
    spent=$(sed -n 's/.*gave up after \([0-9]*\) ms.*/\1/p' "$T/err")
    # 250 ms is the timeout of a hung server; a refusal is immediate. What
    # bridge reports is checked for a number; the bound only catches a
    # fallback that waited for ever (a busy machine stretches any figure).
    expect_between "$spent" 0 60000 "$name: time lost to Redis (ms)"
    echo "$name: Redis cost $spent ms before the fallback"
    [[ "$(model_field rate mark "$(machine_state "$name")")" == cooling ]] ||
        fail "$name: the mark learned while Redis was away is not in the local file"
    # The next run on that machine, Redis still away: the local mark is
    # used, so the rate-limited key is not sent again.
    local before
    before=$(mock_key_requests "$K_RATE")
    on_machine "$name" run_pool ask "again"
    expect_rc 0
    expect_key_requests "$K_RATE" "$before"
}

export REDISCLI_AUTH=$REDIS_PASSWORD
# A long timeout where the failure is a refusal, so that a loaded machine
# cannot turn it into a timeout; the default (250 ms) for the hung server.
STATE="$REDIS_URL?timeout=$REDIS_TIMEOUT_MS"

# Wrong password, and none at all.
REDISCLI_AUTH=wrong-pw one_fault wrongpw "configuration error: the password from REDISCLI_AUTH was refused: WRONGPASS"
(
    unset REDISCLI_AUTH
    one_fault nopw "configuration error: the server needs a password"
)

# Hung: the process is stopped; connecting works (the kernel completes the
# handshake), nothing answers.
kill -STOP "$REDIS_PID"
STATE=$REDIS_URL
one_fault hung "no answer within 250 ms"
spent_hung=$(sed -n 's/.*gave up after \([0-9]*\) ms.*/\1/p' "$T/err")
expect_between "$spent_hung" 0 60000 "hung server" # a number; the bound catches a hang only
kill -CONT "$REDIS_PID"

# Killed: nothing listens on the port any more.
stop_redis KILL
STATE="$REDIS_URL?timeout=$REDIS_TIMEOUT_MS"
one_fault killed "cannot connect"

# A closed port that never had a server, and a unix socket that is gone.
STATE="redis://127.0.0.1:$REDIS_PORT?timeout=100"
one_fault closed "cannot connect"

# Restarted: an empty server without cached scripts works again at once.
restart_redis
STATE="$REDIS_URL?timeout=$REDIS_TIMEOUT_MS"
machine back
on_machine back run_pool ask "hi"
expect_rc 0
expect_err_empty
[[ $(redis_marks bridge: | wc -l) -eq 1 ]] || fail "the restarted server did not get the mark"
[[ ! -e "$(machine_state back)" ]] || fail "a local state file was written while Redis answered"
# A machine that learned a mark while Redis was away still has it locally.
[[ "$(model_field rate mark "$(machine_state killed)")" == cooling ]] || fail "the local mark of machine 'killed' is gone"
echo "ok"
