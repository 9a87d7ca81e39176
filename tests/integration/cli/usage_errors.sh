#!/usr/bin/env bash
# docs/contract.md (output and exit statuses) exit 2: usage errors (unknown option, bad value, --request with
# words, no subcommand) exit 2 at once, print nothing on stdout and send
# nothing upstream.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"default": {"text": "must not be sent"}}'
setup_pool "only sk-ant-test-usage-key-Ww000001"
printf '%s' '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}]}' >"$T/request.json"

usage() {
    local cmd=$1
    shift
    run_pool "$cmd" "$@"
    expect_rc 2
    expect_out_empty
    [[ -s "$T/err" ]] || fail "usage error with no message"
}

for cmd in ask stream; do
    usage "$cmd" --no-such-option "hi"
    usage "$cmd" --max-tokens abc "hi"
    usage "$cmd" --max-tokens 0 "hi"
    usage "$cmd" --max-tokens -5 "hi"
    usage "$cmd" --wait=abc "hi"
    usage "$cmd" --wait=-1 "hi"
    usage "$cmd" --retries abc "hi"
    usage "$cmd" --retries -1 "hi"
    usage "$cmd" --timeout abc "hi"
    usage "$cmd" --timeout 0 "hi"
    usage "$cmd" --idle-timeout abc "hi"
    usage "$cmd" --connect-timeout abc "hi"
    usage "$cmd" -t warm "hi"
    usage "$cmd" --request "$T/request.json" "and" "words"
    usage "$cmd" --request "$T/no-such-request.json"
    usage "$cmd" -m
done
# Keys never come from the command line.
usage ask --key sk-ant-test-usage-argv-Ww0002 "hi"
usage ask --api-key sk-ant-test-usage-argv-Ww0002 "hi"
usage ask --anthropic-api-key sk-ant-test-usage-argv-Ww0002 "hi"
usage ask --raw "hi"     # --raw belongs to stream
usage stream --json "hi" # --json belongs to ask
run_bridge
expect_rc 2
run_bridge no-such-command
expect_rc 2
run_bridge keys no-such-action --key-file "$KEYS"
expect_rc 2
run_bridge keys status --no-such-option --key-file "$KEYS"
expect_rc 2
run_bridge parse-retry-after --no-such-option
expect_rc 2
expect_requests 0

# --help and --version are not errors.
run_bridge --help
expect_rc 0
expect_out_contains "ask"
run_bridge --version
expect_rc 0
expect_out_contains "bridge"
echo "ok"
