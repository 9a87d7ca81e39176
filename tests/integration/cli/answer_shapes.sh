#!/usr/bin/env bash
# ask prints the text blocks of whatever answer comes back: blocks of other
# types add nothing, even when their "type" is not a string (that used to end
# in "internal error", exit 70), a repeated name counts by its last value,
# and an answer without a text shape is reported (exit 1), not a crash.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"keys": {
  "sk-ant-test-shape-odd-As000001": {"status": 200, "body": "{\"content\":[{\"type\":5,\"text\":\"no\"},{\"type\":[\"text\"]},{\"type\":\"text\",\"text\":\"ok\"}]}"},
  "sk-ant-test-shape-dup-As000002": {"status": 200, "body": "{\"content\":[{\"type\":\"text\",\"text\":\"first\"}],\"content\":[{\"type\":\"text\",\"text\":\"a\",\"text\":\"last\"}]}"},
  "sk-ant-test-shape-none-As00003": {"status": 200, "body": "{\"content\":\"text\"}"}}}'

setup_pool "odd sk-ant-test-shape-odd-As000001"
run_pool ask hi
expect_rc 0
expect_out_eq "ok"

setup_pool "dup sk-ant-test-shape-dup-As000002"
run_pool ask hi
expect_rc 0
expect_out_eq "last"

setup_pool "none sk-ant-test-shape-none-As00003"
run_pool ask hi
expect_rc 1
expect_err_contains "not a Messages response"
echo "ok"
