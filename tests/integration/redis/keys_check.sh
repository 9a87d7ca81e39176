#!/usr/bin/env bash
# `bridge keys check` with the state on a real redis-server records its
# results there, as a request would: a 200 clears a key's disabled mark on
# the server (and leaves a cooldown alone), a 401/403 disables the key
# (key-wide), a 429 cools it for the delay asked. Another machine sees the
# result; no local state file is written.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_BACK=sk-ant-test-redis-check-0001
K_COOL=sk-ant-test-redis-check-0002
K_401=sk-ant-test-redis-check-0003
K_429=sk-ant-test-redis-check-0004
start_mock '{
  "keys": {"'$K_BACK'": {}, "'$K_COOL'": {}, "'$K_401'": {}, "'$K_429'": {}},
  "models": {"'$K_BACK'": {"make-marks": {"status": 401}},
             "'$K_COOL'": {"make-marks": {"status": 429, "error_code": "enforced_spend_limit_reached"}}},
  "probe": {"'$K_401'": {"status": 401},
            "'$K_429'": {"status": 429, "headers": {"retry-after": "42"}}}
}'
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
setup_pool "back $K_BACK" "cool $K_COOL" "r401 $K_401" "r429 $K_429"
STATE="$REDIS_URL/0?prefix=kc:&timeout=$REDIS_TIMEOUT_MS"
machine A
machine B

# Marks made by bridge on A: back disabled by a spurious 401, cool under a
# spend limit (key-wide); r401 serves. At this host: marks belong to the
# host they were learned from.
on_machine A run_pool ask -m make-marks --no-stdin "make marks"
expect_rc 0
on_machine B keys_status
[[ "$(_object_of_label "$T/status.json" back | json_field state)" == disabled ]] || fail "setup: back not disabled on Redis: $(cat "$T/status.json")"
[[ "$(_object_of_label "$T/status.json" cool | json_field state)" == cooling ]] || fail "setup: cool not cooling: $(cat "$T/status.json")"

t0=$(now_ms)
on_machine A run_pool keys check
expect_rc 0
grep -qE '^back +sk-a\.\.\.0001 +ok +200' "$T/out" || fail "row of back"
grep -qE '^r401 +sk-a\.\.\.0003 +refused +401' "$T/out" || fail "row of r401"
grep -qE '^r429 +sk-a\.\.\.0004 +rate_limited +429 .*cooling for 42s' "$T/out" || fail "row of r429"
expect_err_contains "cleared 1 disabled mark"
expect_err_contains "key r401 (sk-a...0003) was refused (401 authentication_error) and is disabled until re-enabled: bridge keys reset r401"
expect_err_not_contains "shared state" # no fallback: Redis answered

# B sees what A's check recorded on the server.
on_machine B keys_status
[[ "$(_object_of_label "$T/status.json" back | json_field state)" == ready ]] || fail "back not cleared on Redis: $(cat "$T/status.json")"
[[ "$(_object_of_label "$T/status.json" cool | json_field state)" == cooling ]] || fail "a 200 cleared a cooldown: $(cat "$T/status.json")"
[[ "$(_object_of_label "$T/status.json" r401 | json_field state)" == disabled ]] || fail "401 did not disable on Redis: $(cat "$T/status.json")"
[[ "$(_object_of_label "$T/status.json" r429 | json_field state)" == cooling ]] || fail "429 did not cool on Redis: $(cat "$T/status.json")"
elapsed=$(($(now_ms) - t0))
expect_between "$(_object_of_label "$T/status.json" r429 | json_field retry_in_ms)" $((42000 - elapsed - 2)) 42002 \
    "r429's cooldown, $elapsed ms after the check began"
disabled=$(redis_marks kc: | cut -f3 | grep -c disabled || true)
[[ $disabled -eq 1 ]] || fail "expected r401's disabled mark alone on the server, found $disabled"
[[ ! -e "$(machine_state A)" && ! -e "$(machine_state B)" ]] || fail "a local state file was written while Redis answered"
echo ok
