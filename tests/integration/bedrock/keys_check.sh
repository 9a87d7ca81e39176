#!/usr/bin/env bash
# `keys check --provider bedrock` does not probe in this version: it says so
# (naming the probe it would send) and exits 2, sending nothing and marking
# nothing.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"default": {"text": "unused"}}'
export BRIDGE_PROVIDER=bedrock AWS_REGION=us-east-1
setup_pool "one ABSKa2V5cy1jaGVjay10ZXN0MDE"
run_pool keys check
expect_rc 2
expect_err_contains "keys check does not probe Bedrock keys"
expect_err_contains "count-tokens"
expect_requests 0
[[ ! -e "$STATE" ]] || fail "keys check wrote state"
