#!/usr/bin/env bash
# The mock's Bedrock routes, checked against the official AWS SDK for
# JavaScript (@aws-sdk/client-bedrock-runtime, aws_sdk.mjs), endpoint = the
# mock: InvokeModel and InvokeModelWithResponseStream with a Claude model id
# holding ':', signed by the SDK with an IAM key whose secret the mock knows
# (BRIDGE_MOCK_AWS_KEYS), so the mock's SigV4 check agrees with the SDK's
# signing (a wrong secret: InvalidSignatureException; an unknown key id:
# UnrecognizedClientException) and its event-stream frames are what the SDK
# parses; throttling, access denied and an exception frame come out as the
# SDK's named errors. Then the same with a Bedrock API key
# (AWS_BEARER_TOKEN_BEDROCK), which the SDK sends as a Bearer token. Skipped
# (exit 77) when node or the package is missing: bench/run installs it.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/listener.sh
source "$(dirname "$0")/../lib/listener.sh"
need_node_packages @aws-sdk/client-bedrock-runtime
check=$(node_script aws_sdk.mjs)

ID=AKIASDKCHECKOK000001
THROTTLED_ID=AKIASDKCHECK429ID002
DENIED_ID=AKIASDKCHECK403ID003
BROKEN_ID=AKIASDKCHECKMIDID004
SECRET='sdkCheck/Secret+Key0123456789abcdefghijk'
BEARER=ABSKc2RrLWNoZWNrLWJlYXJlci10b2tlbg01
EXPECT="read by the AWS SDK"
BRIDGE_MOCK_AWS_KEYS="$ID:$SECRET $THROTTLED_ID:$SECRET $DENIED_ID:$SECRET $BROKEN_ID:$SECRET" \
    start_mock '{"keys": {
  "'$ID'": {"deltas": ["read by ", "the AWS ", "SDK"]},
  "'$BEARER'": {"deltas": ["read by ", "the AWS ", "SDK"]},
  "'$THROTTLED_ID'": {"status": 429, "error_message": "Too many requests, please wait before trying again."},
  "'$DENIED_ID'": {"status": 403, "error_message": "You do not have access to the model."},
  "'$BROKEN_ID'": {"deltas": ["a", "b"], "error_after": 1, "error_message": "The model stopped"}}}'

rc=0
env MOCK_URL="$MOCK_URL" ID="$ID" SECRET="$SECRET" WRONG_SECRET="${SECRET}x" THROTTLED_ID="$THROTTLED_ID" \
    DENIED_ID="$DENIED_ID" BROKEN_ID="$BROKEN_ID" EXPECT="$EXPECT" \
    timeout "$HANG_GUARD_S" node "$check" iam >"$T/sdk.out" 2>&1 || rc=$?
cat "$T/sdk.out"
((rc == 0)) || fail "the AWS SDK disagrees with the mock (IAM keys, exit $rc)"
# Every check ran, and the SDK's requests were the signed ones.
[[ "$(grep -c '^ok iam ' "$T/sdk.out")" == 9 ]] || fail "not every IAM check ran"
expect_mock_log_contains '"path":"/model/anthropic.claude-3-5-sonnet-20240620-v1:0/invoke"'
expect_mock_log_contains '"authorization":"AWS4-HMAC-SHA256 Credential='"$ID"'/'
expect_mock_log_not_contains "${SECRET:0:12}"

rc=0
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY MOCK_URL="$MOCK_URL" AWS_BEARER_TOKEN_BEDROCK="$BEARER" \
    EXPECT="$EXPECT" timeout "$HANG_GUARD_S" node "$check" bearer >"$T/sdk.out" 2>&1 || rc=$?
cat "$T/sdk.out"
((rc == 0)) || fail "the AWS SDK disagrees with the mock (Bearer token, exit $rc)"
[[ "$(grep -c '^ok bearer ' "$T/sdk.out")" == 4 ]] || fail "not every Bearer check ran"
expect_key_requests "$BEARER" 2
