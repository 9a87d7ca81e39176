#!/usr/bin/env bash
# docs/marks.md "Affinity" on Redis (docs/redis.md, "Layout"): the key that
# served a session is kept under the pool's root as P{pool}:affinity:HASH
# with an expiry of an hour (SET ... EX 3600), so a session that machine A
# served with b while a was busy goes to b from machine B too, a free a
# notwithstanding. Only hashes are stored. With Redis away, the walk falls
# back to the local file with the one warning of the marks. Keys are freed
# with `keys reset`, never by waiting.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

KA=sk-ant-test-affinity-a-0000001
KB=sk-ant-test-affinity-b-0000002
start_mock '{"keys": {
  "'$KA'": [{"status": 429, "headers": {"retry-after": "3000"}}, {"text": "a served"}],
  "'$KB'": {"text": "b served"}}}'
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
setup_pool "a $KA" "b $KB"
STATE="$REDIS_URL/0?prefix=aff:&timeout=$REDIS_TIMEOUT_MS"
machine A
machine B

on_machine A run_pool ask --no-stdin --session secret-session-name "first turn"
expect_rc 0
expect_out_eq "b served"
expect_err_empty
names=$(redis_cli --scan --pattern 'aff:{pool}:affinity:*')
[[ $(wc -l <<<"$names") == 1 && -n "$names" ]] || fail "affinity keys on Redis: '$names'"
ttl=$(redis_cli TTL "$names")
((ttl > 3000 && ttl <= 3600)) || fail "affinity key TTL $ttl, not about an hour"
[[ $(redis_cli GET "$names") == sha256:* ]] || fail "affinity value: $(redis_cli GET "$names")"
redis_cli --scan | grep -q "secret-session-name\|turn" && fail "a session or prompt in a Redis key name"
[[ ! -e "$(machine_state A).affinity" ]] || fail "machine A wrote a local affinity file while Redis answered"

on_machine A run_pool keys reset a
expect_rc 0
on_machine B run_pool ask --no-stdin -v --session secret-session-name "second turn"
expect_rc 0
expect_out_eq "b served"
expect_err_contains "key b (sk-a...0002): chosen for affinity"
expect_key_requests "$KA" 1

# Another session: the plain walk, a.
on_machine B run_pool ask --no-stdin --session other "first turn"
expect_rc 0
expect_out_eq "a served"

# Redis away: the marks' fallback, one warning, and the request is served.
stop_redis
on_machine B run_pool ask --no-stdin --session secret-session-name "third turn"
expect_rc 0
expect_out_eq "a served"
[[ $(grep -c "shared state" "$T/err") == 1 ]] || fail "not one warning: $(cat "$T/err")"
[[ -s "$(machine_state B).affinity" ]] || fail "machine B did not remember the affinity locally"
