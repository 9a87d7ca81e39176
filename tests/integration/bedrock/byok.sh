#!/usr/bin/env bash
# BYOK with --provider bedrock: AWS_BEARER_TOKEN_BEDROCK with no key file
# ($XDG_CONFIG_HOME/bridge/bedrock.keys) is one key, one attempt, no failover,
# no marks, the state file neither read nor written; a ThrottlingException
# exits 75 and an AccessDeniedException 77, naming the variable. The region
# comes from --region, AWS_REGION or AWS_DEFAULT_REGION; without one, exit 78.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_OK=ABSKYnlvay1vay1rZXktdGVzdA01
K_429=ABSKYnlvay00Mjkta2V5LXRlc3Q2
K_403=ABSKYnlvay00MDMta2V5LXRlc3Q3
start_mock '{"keys": {
  "'$K_OK'": {"deltas": ["bring ", "your own ", "key"]},
  "'$K_429'": {"status": 429, "headers": {"retry-after": "20"}},
  "'$K_403'": {"status": 403, "error_type": "UnrecognizedClientException",
               "error_message": "The security token included in the request is invalid."}}}'

export BRIDGE_STATE="$T/byok-state/state.json"
mkdir -p "$T/byok-state"
chmod 700 "$T/byok-state"
printf 'this is not JSON, and BYOK must not touch it\n' >"$BRIDGE_STATE"
cp "$BRIDGE_STATE" "$T/state.orig"
export AWS_ENDPOINT_URL_BEDROCK_RUNTIME=$MOCK_URL BRIDGE_PROVIDER=bedrock
unset AWS_REGION AWS_DEFAULT_REGION

# No region at all: a configuration error before anything is sent.
AWS_BEARER_TOKEN_BEDROCK=$K_OK run_bridge ask "hi"
expect_rc 78
expect_err_contains "needs an AWS region"
expect_err_contains "--region"
expect_err_contains "AWS_REGION"
expect_requests 0

for cmd in ask stream; do
    AWS_DEFAULT_REGION=eu-west-1 AWS_BEARER_TOKEN_BEDROCK=$K_OK run_bridge "$cmd" "hi"
    expect_rc 0
    expect_out_eq "bring your own key"
    expect_err_empty
done
expect_mock_log_contains '"authorization":"Bearer '$K_OK'"'
expect_key_requests "$K_OK" 2

export AWS_REGION=us-west-2
AWS_BEARER_TOKEN_BEDROCK=$K_429 run_bridge ask --json "hi"
expect_rc 75
expect_err_contains '"rate_limit_error"'
expect_err_contains '"retry_after":20'
expect_err_contains "AWS_BEARER_TOKEN_BEDROCK"
expect_err_not_contains "$K_429"
AWS_BEARER_TOKEN_BEDROCK=$K_429 run_bridge stream "hi"
expect_rc 75
expect_key_requests "$K_429" 2 # one attempt each, no mark: the second run sent again

AWS_BEARER_TOKEN_BEDROCK=$K_403 run_bridge stream "hi"
expect_rc 77
expect_err_contains "AWS_BEARER_TOKEN_BEDROCK"
expect_err_not_contains "$K_403"
expect_key_requests "$K_403" 1

cmp -s "$BRIDGE_STATE" "$T/state.orig" || fail "BYOK touched the state file"

# An Anthropic key is not a Bedrock credential: refused before sending.
AWS_BEARER_TOKEN_BEDROCK=sk-ant-test-not-for-bedrock-0001 run_bridge ask "hi"
expect_rc 78
expect_err_contains "Anthropic key"
expect_key_requests sk-ant-test-not-for-bedrock-0001 0
