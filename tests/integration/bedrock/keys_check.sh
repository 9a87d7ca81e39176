#!/usr/bin/env bash
# `keys check --provider bedrock` probes each key with the smallest InvokeModel
# (POST /model/{model}/invoke, max_tokens 1, the model a walk would use:
# BRIDGE_MODEL, else the default), all at once, and judges each answer by its
# error type as a walk does: a working key is ok (and loses a disabled mark),
# ThrottlingException cools it, AccessDeniedException disables it, a
# ValidationException is an error recorded nowhere; exit 0 when a key works,
# 75 when every key is cooling or refused, 77 when all were refused. BYOK
# (AWS_BEARER_TOKEN_BEDROCK, no key file): one probe, nothing recorded. No key
# is ever shown.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

export BRIDGE_PROVIDER=bedrock AWS_REGION=us-east-1
MODEL=anthropic.claude-3-5-haiku-20241022-v1:0
export BRIDGE_MODEL=$MODEL STATUS_MODEL=$MODEL

K_OK=ABSKY2hlY2stb2sta2V5LXRlc3Q0001
K_429=ABSKY2hlY2stNDI5LWtleS10ZXN0002
K_403=ABSKY2hlY2stNDAzLWtleS10ZXN0003
K_400=ABSKY2hlY2stNDAwLWtleS10ZXN0004
K_BACK=ABSKY2hlY2stYmFjay1rZXktdGVz0005
start_mock '{"keys": {
  "'$K_OK'": {"text": "x"},
  "'$K_429'": {"status": 429, "headers": {"Retry-After": "2520"}, "error_message": "Too many requests"},
  "'$K_403'": {"status": 403, "error_type": "AccessDeniedException", "error_message": "You do not have access to the model"},
  "'$K_400'": {"status": 400, "error_type": "ValidationException", "error_message": "The model is not available here"},
  "'$K_BACK'": [{"status": 403, "error_type": "UnrecognizedClientException"}, {"text": "x"}]}}'
setup_pool "ok $K_OK" "r429 $K_429" "r403 $K_403" "r400 $K_400" "back $K_BACK"

t0=$(now_ms)
run_pool keys check
expect_rc 0
grep -qE '^ok +ABSK\.\.\.0001 +ok +200 key works' "$T/out" || fail "row of ok: $(cat "$T/out")"
grep -qE '^r429 +ABSK\.\.\.0002 +rate_limited +429 ThrottlingException: Too many requests, cooling for 42m00s' "$T/out" ||
    fail "row of r429: $(cat "$T/out")"
grep -qE '^r403 +ABSK\.\.\.0003 +refused +403 AccessDeniedException, disabled' "$T/out" || fail "row of r403: $(cat "$T/out")"
grep -qE '^r400 +ABSK\.\.\.0004 +error +400 ValidationException: The model is not available here' "$T/out" ||
    fail "row of r400: $(cat "$T/out")"
grep -qE '^back +ABSK\.\.\.0005 +refused +403 UnrecognizedClientException, disabled' "$T/out" || fail "row of back: $(cat "$T/out")"
expect_err_contains "key r403 (ABSK...0003) was refused (403 AccessDeniedException) and is disabled until re-enabled"

# What was sent: one invoke per key, for the walk's model, one output token.
expect_requests 5
[[ $(grep -c "\"path\":\"/model/$MODEL/invoke\"" "$(mock_log)") == 5 ]] || fail "probe paths: $(cat "$(mock_log)")"
[[ $(grep -c '"max_tokens":1,' "$(mock_log)") == 5 ]] || fail "probe bodies: $(cat "$(mock_log)")"
expect_mock_log_contains '"authorization":"Bearer '"$K_OK"'"'

# What was recorded.
[[ "$(key_field ok state)" == ready ]] || fail "ok: $(cat "$T/status.json")"
[[ "$(key_field r429 state)" == cooling ]] || fail "r429 did not cool: $(cat "$T/status.json")"
expect_retry_in r429 2520000 "$t0" "r429 cooldown"
[[ "$(key_field r403 state)" == disabled ]] || fail "r403 was not disabled: $(cat "$T/status.json")"
[[ "$(key_field r400 state)" == ready ]] || fail "a ValidationException was recorded: $(cat "$T/status.json")"
[[ "$(key_field back state)" == disabled ]] || fail "back was not disabled: $(cat "$T/status.json")"

# "back" works again: the next check clears its disabled mark.
run_pool keys check --json back
expect_rc 0
[[ "$(tr -d '\n ' <"$T/out")" == '[{"label":"back","hint":"ABSK...0005","result":"ok","status":200,"message":""}]' ]] ||
    fail "--json: $(cat "$T/out")"
expect_err_contains "cleared 1 disabled mark"
[[ "$(key_field back state)" == ready ]] || fail "back still disabled: $(cat "$T/status.json")"

# No key works: every one cooling or refused -> 75; all refused -> 77.
run_pool keys check r429 r403
expect_rc 75
run_pool keys check r403
expect_rc 77

for k in $K_OK $K_429 $K_403 $K_400 $K_BACK; do
    ! grep -qF "$k" "$T/out" "$T/err" || fail "a key was printed"
done

# BYOK: one probe with the lone key, nothing read or recorded.
before=$(mock_requests)
cp "$STATE" "$T/state.before"
AWS_BEARER_TOKEN_BEDROCK=$K_OK run_bridge keys check --base-url "$MOCK_URL"
expect_rc 0
grep -qE 'ok +200 key works' "$T/out" || fail "BYOK row: $(cat "$T/out")"
AWS_BEARER_TOKEN_BEDROCK=$K_429 run_bridge keys check --base-url "$MOCK_URL"
expect_rc 75
expect_out_not_contains "$K_429"
[[ $(($(mock_requests) - before)) == 2 ]] || fail "BYOK sent $(($(mock_requests) - before)) probes"
cmp -s "$STATE" "$T/state.before" || fail "BYOK changed the state file"
