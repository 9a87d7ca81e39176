#!/usr/bin/env bash
# docs/marks.md "Claims", an estimate left behind catches up, on Redis
# (claim.lua; marks/claims_catch_up.sh is the same on the state file): a
# unit claimed for an attempt the upstream never counted (a 500) leaves the
# estimate one unit below the bucket; the next answer, with no other claim
# out, brings it back to what the upstream says, so every unit is served,
# whichever of two machines asks. Before, the estimate stayed a unit behind
# for as long as the bucket was in use: the last unit was never claimed.
#
# The mock's bucket holds 5 requests and refills once an hour: every count
# below is exact whatever the machine's speed.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/claims.sh
source "$(dirname "$0")/../lib/claims.sh"

KD=sk-ant-test-rcatchup-d-000001
MODEL=claude-opus-4-1
start_mock "{\"default\": {\"text\": \"served\"}, \"buckets\": {\"requests\": 5, \"per_ms\": 3600000},
  \"keys\": {\"$KD\": [{\"text\": \"served\"}, {\"status\": 500, \"error_type\": \"api_error\"},
                      {\"text\": \"served\"}]}}"
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
SHARED="$REDIS_URL/0?prefix=fleet:&timeout=$REDIS_TIMEOUT_MS"
machine A
machine B
shared_pool "d $KD"

# The first answer teaches the bucket: 4 left.
on_machine A run_pool ask -m "$MODEL" --no-stdin "hi"
expect_rc 0
expect_err_empty
# A 500, not retried: a unit claimed, none taken by the upstream.
on_machine B run_pool ask -m "$MODEL" --retries 0 --no-stdin "hi"
[[ $RC != 0 ]] || fail "the 500 was not reported"
# The 4 units the bucket still holds are all served, from either machine ...
for m in A B A B; do
    on_machine "$m" run_pool ask -m "$MODEL" --no-stdin "hi"
    expect_rc 0
    expect_out_eq served
    expect_err_empty
done
# ... and then the estimate is empty with the bucket: no request, exit 75.
on_machine A run_pool ask -m "$MODEL" --no-stdin "hi"
expect_rc 75
[[ $(mock_key_requests "$KD") == 6 ]] || fail "key d: $(mock_key_requests "$KD") requests, expected 6"
[[ $(by_status 429) == 0 ]] || fail "$(by_status 429) requests answered 429"
# Nothing is left out once every attempt is over.
bucket=$(redis_cli -n 0 --scan --pattern 'fleet:{pool}:bucket:*')
[[ $(redis_cli -n 0 HGET "$bucket" out) == 0 ]] || fail "claims still out: $(redis_cli -n 0 HGET "$bucket" out)"
[[ ! -e "$(machine_state A)" && ! -e "$(machine_state B)" ]] || fail "a machine wrote local state"
echo ok
