#!/usr/bin/env bash
# Standard input and the prompt: a closed stdin is no input (the words are
# the whole prompt); '-' must be the only word and contradicts --no-stdin.
# (On a terminal, '-' says what it waits for: tests/terminal/prompt_dash.sh.)
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"default": {"text": "fine"}}'
setup_pool "only sk-ant-test-stdin-key-Sd000001"

for cmd in ask stream; do
    # stdin closed (<&-): the words are the prompt.
    RC=0
    timeout -k 5 60 "$BRIDGE" "$cmd" --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" \
        "a whole prompt" <&- >"$T/out" 2>"$T/err" || RC=$?
    expect_rc 0
    expect_out_eq "fine"
    expect_err_empty
    expect_mock_log_contains '"content":"a whole prompt"'
    # stdin closed and no words: the usual usage error.
    RC=0
    timeout -k 5 60 "$BRIDGE" "$cmd" --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" \
        <&- >"$T/out" 2>"$T/err" || RC=$?
    expect_rc 2
    expect_err_contains "no prompt"
    RC=0
    timeout -k 5 60 "$BRIDGE" "$cmd" --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" \
        - <&- >"$T/out" 2>"$T/err" || RC=$?
    expect_rc 2
    expect_err_contains "closed"

    # --no-stdin with '-': a contradiction.
    run_pool_stdin "from stdin" "$cmd" --no-stdin -
    expect_rc 2
    expect_err_contains "--no-stdin"
    # '-' and more words: '-' must be alone.
    run_pool_stdin "from stdin" "$cmd" - extra
    expect_rc 2
    expect_err_contains "must be the only word"
done
expect_mock_log_not_contains "extra"
expect_mock_log_not_contains "from stdin"
echo "ok"
