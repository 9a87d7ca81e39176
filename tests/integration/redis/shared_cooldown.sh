#!/usr/bin/env bash
# Shared state on a real redis-server: a 429 learned by machine A is skipped
# by machine B's next invocation (no request sent with that key), and B's
# `keys status` shows A's cooldown with the time the server has left. Over
# TCP with a password (REDISCLI_AUTH) and over a unix socket. While Redis
# answers, no machine writes a local state file. `keys reset` deletes the
# marks in Redis; `keys reset --all` removes everything under the prefix.
# The cooldown lasts 50 minutes and what is left is bounded by the time the
# test took since A's run, so a slow machine cannot miss it.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_RATE=sk-ant-test-shared-rate-Zx81
K_GOOD=sk-ant-test-shared-good-Zx82
start_mock '{"keys": {
  "'$K_RATE'": {"status": 429, "headers": {"retry-after": "3000"}},
  "'$K_GOOD'": {"text": "served"}}}'
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
setup_pool "rate $K_RATE" "good $K_GOOD"
machine A
machine B

pass=0
for url in "$REDIS_URL/0?prefix=tcp:&timeout=$REDIS_TIMEOUT_MS" "unix://$REDIS_SOCK?prefix=sock:&db=1&timeout=$REDIS_TIMEOUT_MS"; do
    pass=$((pass + 1))
    STATE=$url
    rate_before=$(mock_key_requests "$K_RATE")

    t0=$(now_ms)
    on_machine A run_pool ask "hi"
    expect_rc 0
    expect_out_eq "served"
    expect_err_empty
    expect_key_requests "$K_RATE" $((rate_before + 1))

    on_machine B run_pool ask -v "hi"
    expect_rc 0
    expect_out_eq "served"
    # B never sent the rate-limited key: A's mark reached it.
    expect_key_requests "$K_RATE" $((rate_before + 1))
    expect_err_contains "skipped, cooling for"
    expect_err_not_contains "warning"

    on_machine B keys_status
    [[ $STATUS_RC -eq 0 ]] || fail "pass $pass: keys status exit $STATUS_RC"
    row=$(_object_of_label "$T/status.json" rate)
    [[ "$(json_field state <<<"$row")" == cooling ]] || fail "pass $pass: B does not see A's cooldown: $(cat "$T/status.json")"
    expect_between "$(json_field retry_in_ms <<<"$row")" $((3000000 - ($(now_ms) - t0) - 2)) 3000002 \
        "pass $pass: B's remaining time of A's 3000 s cooldown"
    [[ "$(json_field status <<<"$row")" == 429 ]] || fail "pass $pass: status: $row"
    [[ "$(json_field reason <<<"$row")" == rate_limit_error ]] || fail "pass $pass: reason: $row"
    [[ "$(_object_of_label "$T/status.json" good | json_field state)" == ready ]] || fail "pass $pass: good key not ready"

    # The server holds the mark, in a hash with a relative expiry: that of
    # its longest (here its only) mark.
    prefix=${url#*prefix=}
    prefix=${prefix%%&*}
    db=0
    [[ "$url" == *db=1* ]] && db=1
    [[ $(redis_marks "$prefix" -n "$db" | grep -c .) -eq 1 ]] || fail "pass $pass: expected one mark in Redis: $(redis_marks "$prefix" -n "$db")"
    pttl=$(redis_cli -n "$db" PTTL "${prefix}{pool}:marks")
    expect_between "$pttl" $((3000000 - ($(now_ms) - t0) - 2)) 3000000 "pass $pass: PTTL of the mark"

    # Neither machine wrote a local state file while Redis answered.
    [[ ! -e "$(machine_state A)" && ! -e "$(machine_state B)" ]] || fail "pass $pass: a local state file was written while Redis answered"
done

# keys reset (B) deletes the mark in Redis; A then sees the key ready.
STATE="$REDIS_URL/0?prefix=tcp:&timeout=$REDIS_TIMEOUT_MS"
on_machine B run_pool keys reset rate
expect_rc 0
expect_err_contains "cleared 1 mark"
on_machine A keys_status
[[ "$(_object_of_label "$T/status.json" rate | json_field state)" == ready ]] || fail "after reset, A still sees: $(cat "$T/status.json")"
[[ -z "$(redis_cli -n 0 --scan --pattern 'tcp:{pool}:*')" ]] || fail "keys reset left keys in Redis: $(redis_cli -n 0 --scan --pattern 'tcp:*')"

# keys reset --all: everything under the prefix, also marks of keys that are
# in no key file here (2,500 of them as the earlier layout kept them), and
# nothing under another prefix.
on_machine A run_pool ask "hi"
for i in $(seq 1 2500); do printf 'HSET "tcp:{pool}:mark:f%s:key" kind disabled\n' "$i"; done | redis_cli -n 0 >/dev/null
redis_cli -n 0 SET unrelated:key keep >/dev/null
on_machine B run_pool keys reset --all
expect_rc 0
expect_err_contains "cleared 2501 marks"
[[ -z "$(redis_cli -n 0 --scan --pattern 'tcp:{pool}:*')" ]] || fail "keys reset --all left keys under the prefix"
[[ "$(redis_cli -n 0 GET unrelated:key)" == keep ]] || fail "keys reset --all removed a key outside the prefix"
[[ $(redis_marks sock: -n 1 | grep -c .) -eq 1 ]] || fail "keys reset --all of db 0 touched db 1"
echo "ok"
