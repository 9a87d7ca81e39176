#!/usr/bin/env bash
# Claims on Redis in a large pool: a walk claims among the keys it has not
# tried yet, and asks the server about them a slice at a time (32 keys a
# call), not the whole rest of the pool at every claim: a walk over n keys
# that all answer 429 would otherwise send about n^2/2 bucket names. Here
# 200 keys each answer 429 once: the walk ends with exit 75 having tried
# every key once, and what bridge sent to Redis stays far below what sending
# every remaining candidate at each claim costs (about 1.5 MB for these
# names; the bound is 1 MB, counted by the server: INFO stats).
# Then buckets planted empty (on the server's clock, refilling once in
# hours) for the first 40 keys of a 41-key pool: the walk finds the one
# usable key beyond the first slice, says why each other key was skipped,
# and sends nothing with them.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

MODEL=claude-opus-4-1
start_mock '{"default": {"status": 429, "headers": {"retry-after": "900"}}}'
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
SHARED="$REDIS_URL/0?prefix=big:&timeout=$REDIS_TIMEOUT_MS"
machine A

lines=()
for ((i = 1; i <= 200; i++)); do lines+=("$(printf 'k%03d sk-ant-test-bigpool-%06d-abcdefghij' "$i" "$i")"); done
shared_pool "${lines[@]}"
before=$(redis_cli INFO stats | tr -d '\r' | sed -n 's/^total_net_input_bytes://p')
on_machine A run_pool ask -m "$MODEL" --no-stdin "hi"
expect_rc 75
expect_requests 200
after=$(redis_cli INFO stats | tr -d '\r' | sed -n 's/^total_net_input_bytes://p')
sent=$((after - before))
echo "the walk over 200 keys sent $sent bytes to Redis"
((sent < 1000000)) || fail "the walk sent $sent bytes to Redis: the claims carry the whole pool each time"

# ---- 40 empty buckets, then a usable key ---------------------------------
# fingerprint KEY: as in claims_faults.sh (docs/marks.md, "Marks belong to a host").
fingerprint() {
    printf 'sha256:%s' "$(printf '%s\n%s' "${MOCK_URL%/}" "$1" | sha256sum | cut -c1-32)"
}
stop_mock ""
start_mock '{"default": {"text": "served"}}'
mapfile -t server_time < <(redis_cli TIME)
now_ms=$((server_time[0] * 1000 + server_time[1] / 1000))
lines=()
for ((i = 1; i <= 41; i++)); do
    key=$(printf 'sk-ant-test-bigpool-%06d-klmnopqrst' "$i")
    lines+=("$(printf 'e%02d %s' "$i" "$key")")
    if ((i <= 40)); then
        redis_cli HSET "big:{pool}:bucket:$(fingerprint "$key"):$MODEL" \
            level 0 at "$now_ms" limit 5 per_ms 0.0000001 >/dev/null
    fi
done
shared_pool "${lines[@]}"
on_machine A run_pool ask -m "$MODEL" -v --no-stdin "hi"
expect_rc 0
expect_out_eq "served"
[[ $(grep -c 'skipped, no request left for' "$T/err") == 40 ]] ||
    fail "expected 40 keys skipped as empty: $(cat "$T/err")"
expect_err_contains "key e41 (sk-a...qrst): "
expect_requests 1
echo ok
