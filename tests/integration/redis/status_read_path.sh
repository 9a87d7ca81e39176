#!/usr/bin/env bash
# What `keys status` reads from Redis is what it reads from the state file
# after the same walk: every mark, every scope, the limits, the dates. The
# pool has more keys than one load call takes (1,000), with the interesting
# ones on both sides of that line: a disabled key (401), a spend limit
# (key-wide), a 50-minute cooldown of one model, and a key
# that served with its rate limits. One walk is recorded in a state file,
# the same walk in Redis; both `keys status --json` agree but for the times
# of day, and what is left of the long cooldown is bounded by the test's
# own duration. A 15-second cooldown is read alike while it runs, ends on
# both (waited for by condition), and is not read from Redis then. Marks and limits as the previous
# release kept them (one hash per mark, with PTTL) are read with the rest.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# A walk over 1,009 keys: under the sanitizers on a loaded machine it took
# more than run_bridge's usual 60 s bound (a hang guard, not a measure).
export BRIDGE_TEST_TIMEOUT=600

MODEL=claude-opus-4-1
K_DIS=sk-ant-test-read-path-dis-0001
K_SPEND=sk-ant-test-read-path-spend-02
K_LONG=sk-ant-test-read-path-long-003
K_SHORT=sk-ant-test-read-path-short-04
K_OK=sk-ant-test-read-path-ok-00005
K_OLD=sk-ant-test-read-path-old-0006
FILLERS=1005
start_mock '{"default": {"status": 429, "headers": {"retry-after": "3000"}},
  "keys": {
  "'$K_DIS'": {"status": 401},
  "'$K_SPEND'": {"status": 429, "error_code": "enforced_spend_limit_reached", "error_message": "spend limit"},
  "'$K_LONG'": {"status": 429, "headers": {"retry-after": "3000"}},
  "'$K_SHORT'": {"status": 429, "headers": {"retry-after": "15"}},
  "'$K_OK'": {"text": "served", "headers": {
      "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "49"}}}}'
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
lines=("dis $K_DIS")
for ((i = 1; i <= FILLERS; i++)); do lines+=("$(printf 'f%04d sk-ant-test-read-path-filler-%05d' "$i" "$i")"); done
lines+=("spend $K_SPEND" "long $K_LONG" "ok $K_OK")
setup_pool "${lines[@]}"
FILE_STATE=$STATE
REDIS_STATE="$REDIS_URL/0?prefix=rp:&timeout=$REDIS_TIMEOUT_MS"

t0=$(now_ms)
for STATE in "$FILE_STATE" "$REDIS_STATE"; do
    run_pool ask -m "$MODEL" --no-stdin "hi"
    expect_rc 0
    expect_out_eq "served"
    expect_err_not_contains "shared state"
done
[[ $(redis_marks rp: | grep -c .) -eq $((FILLERS + 3)) ]] || fail "Redis holds $(redis_marks rp: | grep -c .) marks, not $((FILLERS + 3))"

# status_of STATE FILE: keys status --json (every model) into FILE, with the
# times of day (which differ between the two runs) blanked.
status_of() {
    STATE=$1 run_pool keys status --json
    [[ $RC == 0 ]] || fail "keys status on $1: exit $RC: $(cat "$T/err")"
    sed -E 's/"(until|since|seen)": "[^"]*"/"\1": "T"/; s/"retry_in_ms": [0-9]+/"retry_in_ms": N/' "$T/out" >"$2"
}
status_of "$FILE_STATE" "$T/file.json"
status_of "$REDIS_STATE" "$T/redis.json"
diff "$T/file.json" "$T/redis.json" >"$T/diff" || fail "keys status differs between the file and Redis: $(head -40 "$T/diff")"

# Each row as it should be, in a key file of the interesting keys alone
# (the JSON of a thousand rows is not for bash to pick apart).
STATE=$REDIS_STATE
KEYS=$(write_key_file "dis $K_DIS" "f0001 sk-ant-test-read-path-filler-00001" "spend $K_SPEND" \
    "long $K_LONG" "ok $K_OK")
field() { _object_of_label "$T/status.json" "$1" | json_field "$2"; }
STATUS_MODEL=$MODEL keys_status
[[ $(field dis state) == disabled && $(field dis status) == 401 ]] || fail "dis: $(cat "$T/status.json")"
[[ $(field spend state) == cooling && $(field spend reason) == spend_limit ]] || fail "spend: $(cat "$T/status.json")"
[[ -z $(field spend model) ]] || fail "the spend limit is not key-wide: $(cat "$T/status.json")"
[[ $(field long model) == "$MODEL" ]] || fail "long's cooldown is not $MODEL's: $(cat "$T/status.json")"
expect_between "$(field long retry_in_ms)" $((3000000 - ($(now_ms) - t0) - 2)) 3000000 "long's cooldown left"
[[ $(field f0001 state) == cooling ]] || fail "f0001: $(cat "$T/status.json")"
[[ $(field ok state) == ready ]] || fail "ok: $(cat "$T/status.json")"
grep -q '"remaining": 49' "$T/status.json" || fail "ok's limits are not read from Redis: $(cat "$T/status.json")"
# Another model: only the key-wide marks hold.
STATUS_MODEL=claude-sonnet-4-5 keys_status
[[ $(field long state) == ready && $(field f0001 state) == ready ]] || fail "sonnet: $(cat "$T/status.json")"
[[ $(field spend state) == cooling && $(field dis state) == disabled ]] || fail "sonnet, key-wide: $(cat "$T/status.json")"

# A 15 s cooldown, read alike from both while it runs, ends on both (waited
# for by condition), and is then gone from what Redis holds.
KEYS=$(write_key_file "short $K_SHORT" "ok $K_OK")
for STATE in "$FILE_STATE" "$REDIS_STATE"; do
    run_pool ask -m "$MODEL" --no-stdin "hi"
    expect_rc 0
done
status_of "$FILE_STATE" "$T/file.json"
status_of "$REDIS_STATE" "$T/redis.json"
grep -q '"model": "claude-opus-4-1"' "$T/redis.json" || fail "short's cooldown is not in Redis: $(cat "$T/redis.json")"
diff "$T/file.json" "$T/redis.json" >"$T/diff" || fail "keys status of the short cooldown differs: $(cat "$T/diff")"
short_ready() {
    local state
    for state in "$FILE_STATE" "$REDIS_STATE"; do
        STATE=$state STATUS_MODEL=$MODEL keys_status
        [[ $(field short state) == ready ]] || return 1
    done
}
wait_until "$HANG_GUARD_S" "the 15 s cooldown ended" short_ready
# fingerprint KEY: the key's fingerprint for the mock's host (docs/marks.md,
# "Marks belong to a host").
fingerprint() { printf 'sha256:%s\n' "$(printf '%s\n%s' "$MOCK_URL" "$1" | sha256sum | cut -c1-32)"; }
fp_short=$(fingerprint "$K_SHORT")
[[ $(redis_marks rp: | grep -c "^$fp_short") -eq 1 ]] || fail "short's line is not under $fp_short: $(redis_marks rp: | grep -c .)"
[[ $(redis_mark_left rp: "$fp_short" "model:$MODEL") == -2 ]] || fail "the ended cooldown is still running in Redis"
status_of "$FILE_STATE" "$T/file.json"
status_of "$REDIS_STATE" "$T/redis.json"
diff "$T/file.json" "$T/redis.json" >"$T/diff" || fail "keys status differs after the short cooldown: $(cat "$T/diff")"

# As the previous release kept them: a cooldown of one model (one hash per
# mark, its end the PTTL), listed in the key's set of scopes, and limits.
fp_old=$(fingerprint "$K_OLD")
mark="rp:{pool}:mark:$fp_old:model:$MODEL"
redis_cli HSET "$mark" kind cooling status 429 reason rate_limit_error label old hint sk-a...0006 \
    since_ms "$(now_ms)" delay_ms 600000 >/dev/null
redis_cli PEXPIRE "$mark" 600000 >/dev/null
redis_cli SADD "rp:{pool}:scopes:$fp_old" "model:$MODEL" >/dev/null
redis_cli HSET "rp:{pool}:limits:$fp_old" "$MODEL" \
    "{\"seen\":\"$(date -u +%Y-%m-%dT%H:%M:%S.000Z)\",\"requests\":{\"remaining\":7,\"limit\":9}}" >/dev/null
t1=$(now_ms)
KEYS=$(write_key_file "old $K_OLD" "ok $K_OK")
STATUS_MODEL=$MODEL keys_status
[[ $(field old state) == cooling && $(field old model) == "$MODEL" ]] || fail "the earlier layout's cooldown: $(cat "$T/status.json")"
expect_between "$(field old retry_in_ms)" $((600000 - ($(now_ms) - t1) - 2)) 600000 "the earlier layout's cooldown left"
grep -q '"remaining": 7' "$T/status.json" || fail "the earlier layout's limits: $(cat "$T/status.json")"
grep -q '"remaining": 49' "$T/status.json" || fail "ok's limits, beside the earlier layout's: $(cat "$T/status.json")"
echo ok
