#!/usr/bin/env bash
# docs/marks.md "Claims", crowded probes, on the state file's ledger
# (redis/claims_crowded.sh is the same on Redis): a key whose bucket is not
# known yet, but whose probe already has as many requests on their way as the
# largest known bucket of the pool holds, is passed over for a key never seen,
# and used only when no other key can serve. Before, every walk that found
# the known keys empty went to it.
#
# The probe is planted in the ledger as five walks sent to b would leave it:
# nothing here depends on timing but the probe's own 30 s life. The mock's
# buckets hold 5 requests and refill once an hour, so every count is exact.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

KA=sk-ant-test-crowd-a-000000001
KB=sk-ant-test-crowd-b-000000002
KC=sk-ant-test-crowd-c-000000003
MODEL=claude-opus-4-1
start_mock '{"default": {"text": "served"}, "buckets": {"requests": 5, "per_ms": 3600000}}'
STATE="$T/state/state.json"
LEDGER="$STATE.claims"

# b's bucket, to learn its name in the ledger; then a's, used up (5 of 5).
KEYS=$(write_key_file "b $KB")
run_pool ask -m "$MODEL" --no-stdin "hi"
expect_rc 0
b_id=$(sed -n 's/^{"buckets":{"\([^"]*\)".*/\1/p' "$LEDGER")
[[ $b_id == "sha256:"*" $MODEL" ]] || fail "b's bucket not found in the ledger: $(cat "$LEDGER")"
KEYS=$(write_key_file "a $KA")
for _ in 1 2 3 4 5; do
    run_pool ask -m "$MODEL" --no-stdin "hi"
    expect_rc 0
done

# b becomes a key not known yet with five requests on their way (a probe:
# limit 0, level minus their number), written as bridge writes the ledger.
now_ms=$(date +%s%3N)
probe="\"$b_id\":{\"at\":$now_ms,\"level\":-5.0,\"limit\":0.0,\"per_ms\":0.0}"
sed -i "s/\"$b_id\":{[^}]*}/$probe/" "$LEDGER"
grep -qF "$probe" "$LEDGER" || fail "the probe was not planted: $(cat "$LEDGER")"

# a is empty, b crowded: c, never seen, serves.
KEYS=$(write_key_file "a $KA" "b $KB" "c $KC")
run_pool ask -m "$MODEL" --no-stdin "hi"
expect_rc 0
expect_out_eq served
[[ $(mock_key_requests "$KC") == 1 ]] || fail "key c: $(mock_key_requests "$KC") requests, expected 1"
[[ $(mock_key_requests "$KB") == 1 ]] || fail "key b: $(mock_key_requests "$KB") requests, expected 1 (the crowded probe was used)"
[[ $(mock_key_requests "$KA") == 5 ]] || fail "key a: $(mock_key_requests "$KA") requests, expected 5"

# Without c, nothing else can serve: b after all, its probe one request more.
KEYS=$(write_key_file "a $KA" "b $KB")
run_pool ask -m "$MODEL" --no-stdin "hi"
expect_rc 0
expect_out_eq served
[[ $(mock_key_requests "$KB") == 2 ]] || fail "key b: $(mock_key_requests "$KB") requests, expected 2"
[[ $(mock_key_requests "$KA") == 5 ]] || fail "key a was asked while empty"
echo ok
