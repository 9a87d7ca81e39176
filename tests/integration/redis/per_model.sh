#!/usr/bin/env bash
# Per-model cooldowns on a real redis-server: machine A's 429 for one model
# cools the key for that model only, in its own scope on the server
# (the line of scope model:<name> in the pool's marks hash, ending on the
# server's clock, the hash expiring with it); machine B, with
# no local state, then skips the key for that model and is served by it for
# another; `keys status -m` and `--json` on Redis answer per model; `keys
# reset` deletes the per-model marks and limits too. No local state file is
# written while Redis answers. The cooldowns last 50 minutes, and what is
# left is bounded by the time the test took, so that a slow machine cannot
# outlive them.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

KA=sk-ant-test-redis-model-a-0001
KB=sk-ant-test-redis-model-b-0002
start_mock '{
  "keys": {"'$KA'": {"text": "a served"}, "'$KB'": {"text": "b served"}},
  "models": {"'$KA'": {"claude-opus-4-1": {"status": 429, "headers": {"retry-after": "3000"}},
                       "claude-sonnet-4-5": {"text": "a served", "headers": {
                           "anthropic-ratelimit-requests-limit": "50",
                           "anthropic-ratelimit-requests-remaining": "49"}}},
             "'$KB'": {"claude-opus-4-1": [{"text": "b served"}, {"text": "b served"},
                                          {"status": 429, "headers": {"retry-after": "3000"}}]}}
}'
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
setup_pool "a $KA" "b $KB"
STATE="$REDIS_URL/0?prefix=pm:&timeout=$REDIS_TIMEOUT_MS"
machine A
machine B

t0=$(now_ms)
on_machine A run_pool ask -m claude-opus-4-1 -v "hi"
expect_rc 0
expect_out_eq "b served"
expect_err_contains "cooling for 50m00s for claude-opus-4-1"
expect_key_requests "$KA" 1

# The server holds one mark for a, in the model's scope, expiring by itself.
marks=$(redis_marks pm:)
[[ $(grep -c . <<<"$marks") -eq 1 ]] || fail "expected one mark in Redis, found: $marks"
[[ "$(cut -f2 <<<"$marks")" == model:claude-opus-4-1 ]] || fail "the 429 is not in the model's scope: $marks"
expect_between "$(redis_mark_left pm: "$(cut -f1 <<<"$marks")" model:claude-opus-4-1)" \
    $((3000000 - ($(now_ms) - t0) - 2)) 3000000 "time left of the per-model mark"
expect_between "$(redis_cli PTTL 'pm:{pool}:marks')" \
    $((3000000 - ($(now_ms) - t0) - 2)) 3000000 "PTTL of the marks hash (its longest mark)"

# B: opus skips a without asking it; sonnet is served by a.
on_machine B run_pool ask -m claude-opus-4-1 -v "hi"
expect_rc 0
expect_out_eq "b served"
expect_err_contains "key a (sk-a...0001): skipped, cooling for claude-opus-4-1 for"
expect_err_not_contains "warning"
expect_key_requests "$KA" 1
on_machine B run_pool ask -m claude-sonnet-4-5 -v "hi"
expect_rc 0
expect_out_eq "a served"
expect_err_not_contains "skipped"
expect_key_requests "$KA" 2

# keys status on B, per model.
STATUS_MODEL=claude-opus-4-1 on_machine B keys_status
[[ $STATUS_RC -eq 0 ]] || fail "keys status -m opus exit $STATUS_RC (b is ready)"
[[ "$(_object_of_label "$T/status.json" a | json_field state)" == cooling ]] || fail "a not cooling for opus on B: $(cat "$T/status.json")"
expect_between "$(_object_of_label "$T/status.json" a | json_field retry_in_ms)" $((3000000 - ($(now_ms) - t0) - 2)) 3000002 \
    "B's retry_in_ms of a for opus"
[[ "$(_object_of_label "$T/status.json" a | json_field status)" == 429 ]] || fail "status of a's opus mark: $(cat "$T/status.json")"
STATUS_MODEL=claude-sonnet-4-5 on_machine B keys_status
[[ "$(_object_of_label "$T/status.json" a | json_field state)" == ready ]] || fail "a not ready for sonnet on B: $(cat "$T/status.json")"

# --json without -m: a is ready, its opus cooldown nested, its sonnet limits kept.
on_machine B run_pool keys status --json
expect_rc 0
rows=$(tr -d '\n ' <"$T/out")
grep -qE '\{"label":"a","hint":"sk-a...0001","state":"ready","models":\[\{"model":"claude-opus-4-1","state":"cooling","retry_in_ms":[0-9]+,' <<<"$rows" ||
    fail "keys status --json row of a on Redis: $rows"
grep -qE '"limits":\{"claude-sonnet-4-5":\{"seen":"[^"]+","requests":\{"remaining":49,"limit":50\}\}\}' <<<"$rows" ||
    fail "the limits seen by B are not in keys status: $rows"
on_machine A run_pool keys status
expect_rc 0
# 50m00s at most, and (for any machine that takes less than ten minutes to
# get here) more than 40 minutes.
grep -qE '^ +cooling +claude-opus-4-1: retry in (4[0-9]m[0-9]{2}s|50m00s) \(429 rate_limit_error\)$' "$T/out" || fail "A's table: $(cat "$T/out")"
grep -qE '^ +limits +claude-sonnet-4-5: requests 49/50$' "$T/out" || fail "A does not see B's limits: $(cat "$T/out")"

# exhausted for opus once b cools for it too (its third opus request, at the
# same host: marks belong to a host): 75 on A.
on_machine A run_pool ask -m claude-opus-4-1 "hi"
expect_rc 75
STATUS_MODEL=claude-opus-4-1 on_machine B keys_status
[[ $STATUS_RC -eq 75 ]] || fail "keys status -m opus on B: exit $STATUS_RC, expected 75"

# Neither machine wrote a local state file.
[[ ! -e "$(machine_state A)" && ! -e "$(machine_state B)" ]] || fail "a local state file was written while Redis answered"

# keys reset a: its per-model mark and its limits go.
on_machine B run_pool keys reset a
expect_rc 0
expect_err_contains "cleared 1 mark"
left=$(redis_cli --scan --pattern 'pm:{pool}:*' || true)
[[ -z "$(redis_cli --scan --pattern 'pm:{pool}:limits:*')" ]] || fail "keys reset left a's limits: $left"
n=$(redis_marks pm: | grep -c . || true)
[[ $n -eq 1 ]] || fail "keys reset a: expected b's opus mark alone, found $n: $left"
STATUS_MODEL=claude-opus-4-1 on_machine A keys_status
[[ "$(_object_of_label "$T/status.json" a | json_field state)" == ready ]] || fail "after reset, a still: $(cat "$T/status.json")"
[[ "$(_object_of_label "$T/status.json" b | json_field state)" == cooling ]] || fail "reset a cleared b: $(cat "$T/status.json")"
echo ok
