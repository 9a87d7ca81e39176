#!/usr/bin/env bash
# The classification of Amazon Bedrock (--provider bedrock), by the error type
# (x-amzn-ErrorType, with its ":namespace" suffix), not the status, for `ask`
# and `stream`: ThrottlingException (429) cools the key for the model for
# Retry-After, else 60 s, and fails over; ServiceQuotaExceededException (a 400)
# cools it for that model only (another model still uses the key);
# AccessDeniedException disables it; a ValidationException (400) is reported
# without failover; ModelNotReadyException (a 429) is retried on the same key
# (--retries), never failed over and never marked. Each request goes to
# /model/{id}/invoke[-with-response-stream] with the key as a Bearer token.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

export BRIDGE_PROVIDER=bedrock AWS_REGION=us-east-1
MODEL=anthropic.claude-3-5-haiku-20241022-v1:0
OTHER=us.anthropic.claude-sonnet-4-5-20250929-v1:0
export STATUS_MODEL=$MODEL

K_THROTTLE=ABSKdGhyb3R0bGUtdGVzdA0001
K_NODELAY=ABSKbm9kZWxheS10ZXN0dA0002
K_QUOTA=ABSKcXVvdGEtdGVzdC1rZQ0003
K_DENIED=ABSKZGVuaWVkLXRlc3Qta0004
K_OK=ABSKb2stdGVzdC1rZXktMA0005
K_BAD=ABSKYmFkLXRlc3Qta2V5LQ0006
K_NOTREADY=ABSKbm90cmVhZHktdGVzdA0007

script='{
  "keys": {
    "'$K_THROTTLE'": {"status": 429, "headers": {"Retry-After": "200"}, "error_message": "Too many requests"},
    "'$K_NODELAY'":  {"status": 429},
    "'$K_DENIED'":   {"status": 403, "error_type": "AccessDeniedException"},
    "'$K_OK'":       {"deltas": ["served ", "by the ", "last key"]},
    "'$K_BAD'":      {"status": 400, "error_type": "ValidationException", "error_message": "messages: field required"},
    "'$K_NOTREADY'": [{"status": 429, "error_type": "ModelNotReadyException"}, {"text": "ready now"}]
  },
  "models": {
    "'$K_QUOTA'": {"'$MODEL'": {"status": 400, "error_type": "ServiceQuotaExceededException",
                                "error_message": "quota of tokens per day reached"},
                   "'$OTHER'": {"text": "the quota key, for another model"}}
  }
}'

for cmd in ask stream; do
    start_mock "$script" "$cmd"
    POOL_URL=$(mock_url "$cmd")
    setup_pool "throttle $K_THROTTLE" "nodelay $K_NODELAY" "quota $K_QUOTA" "denied $K_DENIED" "ok $K_OK"
    STATE="$T/state-$cmd/state.json"

    t0=$(now_ms)
    run_pool "$cmd" -v -m "$MODEL" "which key?"
    expect_rc 0
    expect_out_eq "served by the last key"
    for k in "$K_THROTTLE" "$K_NODELAY" "$K_QUOTA" "$K_DENIED" "$K_OK"; do
        expect_key_requests "$k" 1 "$cmd"
    done
    expect_err_contains "key throttle (ABSK...0001): 429 ThrottlingException, cooling for 3m20s for $MODEL; trying the next key"
    expect_err_contains "key quota (ABSK...0003): 400 ServiceQuotaExceededException, cooling for 1m00s for $MODEL"
    expect_err_contains "key denied (ABSK...0004): 403 AccessDeniedException"
    expect_err_contains "disabled"
    suffix=$(case $cmd in ask) echo invoke ;; stream) echo invoke-with-response-stream ;; esac)
    expect_mock_log_contains "\"path\":\"/model/$MODEL/$suffix\"" "$cmd"
    expect_mock_log_contains '"authorization":"Bearer '$K_OK'"' "$cmd"
    expect_mock_log_contains '"anthropic_version":"bedrock-2023-05-31"' "$cmd"
    expect_mock_log_not_contains '"model":"' "$cmd"

    keys_status
    [[ $STATUS_RC -eq 0 ]] || fail "$cmd: keys status exit $STATUS_RC"
    expect_retry_in nodelay 60000 "$t0" "$cmd: a ThrottlingException naming no delay"
    expect_retry_in throttle 200000 "$t0" "$cmd: Retry-After 200"
    expect_retry_in quota 60000 "$t0" "$cmd: ServiceQuotaExceededException"
    [[ "$(key_field denied state)" == disabled ]] || fail "$cmd: denied not disabled: $(cat "$T/status.json")"
    [[ "$(key_field quota reason)" == ServiceQuotaExceededException ]] ||
        fail "$cmd: reason of quota: $(cat "$T/status.json")"
    [[ "$(model_field quota mark)" == cooling ]] || fail "$cmd: quota not cooling for $MODEL: $(cat "$STATE")"
    [[ -z "$(state_field quota mark)" ]] || fail "$cmd: the quota mark is key-wide: $(cat "$STATE")"
    for k in "$K_THROTTLE" "$K_NODELAY" "$K_QUOTA" "$K_DENIED" "$K_OK"; do
        ! grep -qF "${k:4:12}" "$STATE" || fail "$cmd: a key is in the state file"
    done

    # Another model: the quota key answers (its cooldown is for $MODEL only);
    # the throttled keys are tried again, the denied key stays skipped.
    run_pool "$cmd" -v -m "$OTHER" "another model"
    expect_rc 0
    expect_out_eq "the quota key, for another model"
    expect_key_requests "$K_QUOTA" 2 "$cmd"
    expect_key_requests "$K_DENIED" 1 "$cmd"
    expect_key_requests "$K_OK" 1 "$cmd"
    stop_mock "$cmd"
done

# A validation error is not the key's: reported, no failover, no mark.
start_mock "$script" bad
POOL_URL=$(mock_url bad)
setup_pool "bad $K_BAD" "ok $K_OK"
STATE="$T/state-bad/state.json"
for cmd in ask stream; do
    run_pool "$cmd" -m "$MODEL" "x"
    expect_rc 1
    expect_err_contains "ValidationException"
    expect_err_contains "messages: field required"
done
expect_key_requests "$K_BAD" 2 bad
expect_key_requests "$K_OK" 0 bad

# ModelNotReadyException (a 429): retried on the same key, never failed over.
setup_pool "notready $K_NOTREADY" "ok $K_OK"
STATE="$T/state-notready/state.json"
run_pool ask -v --retries 1 -m "$MODEL" "x"
expect_rc 0
expect_out_eq "ready now"
expect_key_requests "$K_NOTREADY" 2 bad
expect_key_requests "$K_OK" 0 bad
[[ ! -e "$STATE" ]] || ! grep -q cooling "$STATE" || fail "ModelNotReadyException marked the key: $(cat "$STATE")"
