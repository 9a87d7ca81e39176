#!/usr/bin/env bash
# `bridge serve` and `bridge exec` serve the anthropic and openai pools only:
# with --provider bedrock they say so and exit 2, listening on nothing.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

export AWS_REGION=us-east-1
setup_pool "one ABSKbm90LXNlcnZlZC10ZXN0MDE"
run_bridge serve --provider bedrock --key-file "$KEYS" --state "$STATE"
expect_rc 2
expect_err_contains "the listener does not serve the bedrock provider"
run_bridge exec --provider bedrock --key-file "$KEYS" --state "$STATE" -- true
expect_rc 2
expect_err_contains "the listener does not serve the bedrock provider"
