#!/usr/bin/env bash
# docs/marks.md, "Marks belong to a host", on Redis: 401s from a wrong base
# URL disable the keys for that host only, so one machine's mistake does not
# stop the fleet's keys where they work; keys check against the wrong host
# the same. Marks of the provider's own host keep the fingerprint every
# earlier bridge used (the SHA-256 of the key), and are read as such, also as
# the previous release wrote them (P{pool}:mark:<fingerprint>:key).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K1=sk-ant-api03-redis-origin-0001
K2=sk-ant-api03-redis-origin-0002
start_mock '{"default": {"text": "right host"}}'
start_mock '{"default": {"status": 401}, "probe_default": {"status": 401}}' wrong
WRONG=$(mock_url wrong)
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
SHARED="$REDIS_URL/3?prefix=o:&timeout=$REDIS_TIMEOUT_MS"
shared_pool "one $K1" "two $K2"
fp1="sha256:$(printf '%s' "$K1" | sha256sum | cut -c1-32)"

POOL_URL=$WRONG run_pool ask "hi"
expect_rc 77
POOL_URL=$WRONG run_pool keys check
expect_rc 77
# Both disabled in Redis, under the wrong host's fingerprints only.
marks=$(redis_marks o: -n 3 | sort)
[[ $(wc -l <<<"$marks") == 2 ]] || fail "expected 2 marks: $marks"
[[ "$marks" != *"$fp1"* ]] || fail "a mark of the wrong host under the plain fingerprint: $marks"
fpw="sha256:$(printf '%s\n%s' "$WRONG" "$K1" | sha256sum | cut -c1-32)"
[[ "$(redis_mark_left o: "$fpw" key -n 3)" == -1 ]] || fail "one not disabled for $WRONG: $marks"
# The right host: the first key answers, nothing skipped.
run_pool ask -v "hi"
expect_rc 0
expect_out_eq "right host"
expect_err_not_contains "skipped"
expect_key_requests "$K1" 1

# A mark as the previous release wrote it, under the plain fingerprint: it
# is the provider's own host's (keys status sends nothing), not the mock's.
redis_cli -n 3 HSET "o:{pool}:mark:$fp1:key" kind disabled status 401 reason authentication_error \
    label one hint sk-a...0001 since_ms 1 delay_ms 0 >/dev/null
redis_cli -n 3 SADD "o:{pool}:scopes:$fp1" key >/dev/null
env -u ANTHROPIC_BASE_URL "$BRIDGE" keys status --json --key-file "$KEYS" --state "$SHARED" >"$T/own.json" 2>&1 || true
[[ "$(_object_of_label "$T/own.json" one | json_field state)" == disabled ]] || fail "the previous release's mark not read for api.anthropic.com: $(cat "$T/own.json")"
run_pool keys status --json
[[ "$(_object_of_label "$T/out" one | json_field state)" != disabled ]] || fail "api.anthropic.com's mark used for the mock: $(cat "$T/out")"
echo ok
