#!/usr/bin/env bash
# --provider openai with shared state on a real redis-server, for `ask` and
# `stream`: machine A walks past a 429 whose only delay is a Go duration
# (x-ratelimit-reset-requests: 50m0s), an insufficient_quota 429 (one hour)
# and a 401 (disabled), and is served by the last key; machine B's next
# invocation skips all three without a request to any of them, and B's
# `keys status` shows the cooldowns A learned with the time Redis has left.
# Redis holds the marks with their expiry and never a key; no machine writes
# a local state file while Redis answers. What is left of a cooldown is
# bounded by the time the test took since A's run, not by a fixed window.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# keys status answers for the model the requests name (a 429 cools a key for
# that model only).
export STATUS_MODEL=gpt-4o-mini

K_RATE=sk-proj-test-rds-rate-Qw00001
K_QUOTA=sk-proj-test-rds-quota-Qw0002
K_401=sk-proj-test-rds-401-Qw000003
K_OK=sk-proj-test-rds-ok-Qw0000004

start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
export BRIDGE_PROVIDER=openai
machine A
machine B

for cmd in ask stream; do
    start_mock '{"keys": {
      "'$K_RATE'":  {"status": 429, "headers": {"x-ratelimit-reset-requests": "50m0s", "x-ratelimit-reset-tokens": "20ms"}},
      "'$K_QUOTA'": {"status": 429, "error_type": "insufficient_quota", "error_code": "insufficient_quota",
                     "error_message": "You exceeded your current quota", "headers": {"retry-after": "1"}},
      "'$K_401'":   {"status": 401},
      "'$K_OK'":    {"deltas": ["served ", "through ", "redis"]}}}' "$cmd"
    POOL_URL="$(mock_url "$cmd")/v1"
    setup_pool "rate $K_RATE" "quota $K_QUOTA" "k401 $K_401" "ok $K_OK"
    STATE="$REDIS_URL/0?prefix=$cmd:&timeout=$REDIS_TIMEOUT_MS"

    # A learns the marks.
    t0=$(now_ms)
    on_machine A run_pool "$cmd" -v "which key?"
    expect_rc 0
    expect_out_eq "served through redis"
    expect_err_contains "answer served by key ok"
    # Two warnings only: the key refused with 401 is said to be disabled,
    # and the key at its spend limit to rest for every model.
    expect_err_contains "warning: key k401 (sk-p...0003) was refused"
    expect_err_contains "warning: key quota (sk-p...0002) reached its spend limit"
    [[ $(grep -c warning "$T/err") -eq 2 ]] || fail "$cmd: other warnings: $(cat "$T/err")"
    for k in "$K_RATE" "$K_QUOTA" "$K_401" "$K_OK"; do
        expect_key_requests "$k" 1 "$cmd"
    done

    # B goes straight to the last key: A's marks reached it through Redis.
    before=$(mock_requests "$cmd")
    on_machine B run_pool "$cmd" -v "again"
    expect_rc 0
    expect_out_eq "served through redis"
    [[ $(($(mock_requests "$cmd") - before)) -eq 1 ]] ||
        fail "$cmd: B sent $(($(mock_requests "$cmd") - before)) requests, not one to the last key"
    for k in "$K_RATE" "$K_QUOTA" "$K_401"; do
        expect_key_requests "$k" 1 "$cmd"
    done
    expect_key_requests "$K_OK" 2 "$cmd"
    # The 429 cooled the key for the model asked, the quota for every model.
    expect_err_contains "key rate (sk-p...0001): skipped, cooling for gpt-4o-mini for"
    expect_err_contains "key quota (sk-p...0002): skipped, spend limit until"
    expect_err_contains "key k401 (sk-p...0003): skipped, disabled (401"
    expect_err_not_contains "warning"

    # B's view of A's marks, with what the server has left of them.
    on_machine B keys_status
    [[ $STATUS_RC -eq 0 ]] || fail "$cmd: keys status exit $STATUS_RC with a ready key"
    row=$(_object_of_label "$T/status.json" rate)
    [[ "$(json_field state <<<"$row")" == cooling ]] || fail "$cmd: B does not see the 429 of rate: $(cat "$T/status.json")"
    [[ "$(json_field status <<<"$row")" == 429 ]] || fail "$cmd: status of rate: $row"
    # 50m0s, the later of the two reset durations, less the time since A's
    # run began (a millisecond of rounding each way).
    expect_between "$(json_field retry_in_ms <<<"$row")" $((3000000 - ($(now_ms) - t0) - 2)) 3000002 \
        "$cmd: the 50m0s reset, seen by B"
    row=$(_object_of_label "$T/status.json" quota)
    [[ "$(json_field state <<<"$row")" == cooling ]] || fail "$cmd: B does not see the quota mark: $(cat "$T/status.json")"
    [[ "$(json_field reason <<<"$row")" == spend_limit ]] || fail "$cmd: reason of quota: $row"
    expect_between "$(json_field retry_in_ms <<<"$row")" $((3600000 - ($(now_ms) - t0) - 2)) 3600002 \
        "$cmd: the one-hour spend-limit rest, seen by B"
    row=$(_object_of_label "$T/status.json" k401)
    [[ "$(json_field state <<<"$row")" == disabled ]] || fail "$cmd: B does not see k401 disabled: $(cat "$T/status.json")"
    [[ "$(json_field status <<<"$row")" == 401 ]] || fail "$cmd: status of k401: $row"
    [[ "$(_object_of_label "$T/status.json" ok | json_field state)" == ready ]] || fail "$cmd: ok not ready"

    # Redis holds three marks under the prefix, the longest cooldown the
    # spend limit's hour, and no key.
    marks=$(redis_marks "$cmd:" -n 0)
    [[ $(grep -c . <<<"$marks") -eq 3 ]] || fail "$cmd: expected 3 marks in Redis, found: $marks"
    longest=0
    while IFS=$'\t' read -r fp scope _; do
        left=$(redis_mark_left "$cmd:" "$fp" "$scope" -n 0)
        ((left > longest)) && longest=$left
    done <<<"$marks"
    [[ "$(redis_cli -n 0 HGETALL "$cmd:{pool}:marks")" != *sk-proj-test* ]] || fail "$cmd: a key is stored in Redis: $marks"
    expect_between "$longest" $((3600000 - ($(now_ms) - t0) - 2)) 3600000 "$cmd: time left of the spend-limit mark"

    [[ ! -e "$(machine_state A)" && ! -e "$(machine_state B)" ]] ||
        fail "$cmd: a local state file was written while Redis answered"
    stop_mock "$cmd"
done
echo "ok"
