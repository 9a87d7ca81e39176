#!/usr/bin/env bash
# Spend-limit and billing marks on a real redis-server are key-wide: machine
# A's 429 enforced_spend_limit_reached and 402 land in the key's scope
# (scope "key" in the pool's marks hash, reason spend_limit / billing,
# ending an hour later on the server's clock), and machine B then skips both keys for every model, whichever
# model A asked for, without sending them a request.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_SPEND=sk-ant-test-redis-spend-00001
K_BILL=sk-ant-test-redis-bill-000002
K_OK=sk-ant-test-redis-fine-000003
start_mock '{"keys": {
  "'$K_SPEND'": {"status": 429, "error_code": "enforced_spend_limit_reached", "error_message": "spend limit"},
  "'$K_BILL'": {"status": 402},
  "'$K_OK'": {"text": "served"}}}'
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
setup_pool "spend $K_SPEND" "bill $K_BILL" "ok $K_OK"
STATE="$REDIS_URL/0?prefix=sb:&timeout=$REDIS_TIMEOUT_MS"
machine A
machine B

t0=$(now_ms)
on_machine A run_pool ask -m claude-opus-4-1 -v "hi"
expect_rc 0
expect_out_eq "served"
expect_err_contains "(spend_limit), cooling for"
expect_err_contains "402 billing_error (billing), cooling for 1h00m for every model"

# On the server: two key-wide marks, no per-model one, each expiring.
marks=$(redis_marks sb:)
[[ -z "$(awk -F'\t' '$2 ~ /^model:/' <<<"$marks")" ]] || fail "a per-model mark for a key-wide answer: $marks"
keys=$(awk -F'\t' '$2 == "key" { print $1 }' <<<"$marks" | sort)
[[ $(grep -c . <<<"$keys") -eq 2 ]] || fail "expected two key-wide marks, found: $marks"
reasons=$(cut -f9 <<<"$marks" | sort | tr '\n' ' ')
[[ "$reasons" == "billing spend_limit " ]] || fail "reasons on the server: $reasons"
for k in $keys; do
    # An hour, less at most the time since A's run began.
    expect_between "$(redis_mark_left sb: "$k" key)" $((3600000 - ($(now_ms) - t0) - 2)) 3600000 "time left of $k's mark (an hour)"
done
# The pool's hash expires with its longest mark.
expect_between "$(redis_cli PTTL 'sb:{pool}:marks')" $((3600000 - ($(now_ms) - t0) - 2)) 3600000 "PTTL of the marks hash (an hour)"

# B, another model: both keys skipped, nothing sent to them.
for model in claude-sonnet-4-5 claude-haiku-4-5; do
    on_machine B run_pool ask -m "$model" -v "hi"
    expect_rc 0
    expect_out_eq "served"
    expect_err_contains "key spend (sk-a...0001): skipped, spend limit until"
    expect_err_contains "key bill (sk-a...0002): skipped, billing problem until"
    expect_key_requests "$K_SPEND" 1
    expect_key_requests "$K_BILL" 1
done

STATUS_MODEL=claude-haiku-4-5 on_machine B keys_status
[[ "$(_object_of_label "$T/status.json" spend | json_field state)" == cooling ]] || fail "spend: $(cat "$T/status.json")"
[[ "$(_object_of_label "$T/status.json" spend | json_field reason)" == spend_limit ]] || fail "spend reason: $(cat "$T/status.json")"
[[ "$(_object_of_label "$T/status.json" bill | json_field reason)" == billing ]] || fail "bill reason: $(cat "$T/status.json")"
[[ "$(_object_of_label "$T/status.json" bill | json_field status)" == 402 ]] || fail "bill status: $(cat "$T/status.json")"
[[ ! -e "$(machine_state A)" && ! -e "$(machine_state B)" ]] || fail "a local state file was written while Redis answered"
echo ok
