#!/usr/bin/env bash
# docs/contract.md (the failover walk) row "any other status": 400, 404, 413, 500, 529 are reported
# with status, type, message and request-id (exit 1); the second key is never
# tried and no key is marked — for `ask` and `stream`, in text and JSON mode
# (the JSON line keeps the request-id too). 500 and 529 are retried on the
# same key first (--retries, 2 by default).
# (A 402 is a billing answer: it cools the key for every model and fails over,
# docs/marks.md; marks/spend_billing.sh tests that.)
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K2=sk-ant-test-never-tried-Pq7r0002
declare -A TYPE=([400]=invalid_request_error [404]=not_found_error
    [413]=request_too_large [500]=api_error [529]=overloaded_error)
script='{"keys": {'
for s in "${!TYPE[@]}"; do
    script+='"sk-ant-test-status'$s'-Pq7r00001": {"status": '$s', "error_message": "scripted message '$s'", "headers": {"request-id": "req_test_'$s'"}},'
done
script+='"'$K2'": {"text": "must not be served"}}}'
start_mock "$script"

for s in 400 404 413 500 529; do
    K1=sk-ant-test-status$s-Pq7r00001
    for cmd in ask stream; do
        setup_pool "first $K1" "second $K2"
        STATE="$T/state-$s-$cmd/state.json"
        run_pool "$cmd" "question"
        expect_rc 1
        expect_out_empty
        expect_err_contains "$s"
        expect_err_contains "${TYPE[$s]}"
        expect_err_contains "scripted message $s"
        expect_err_contains "req_test_$s"
        expect_err_not_contains "$K1"
        expect_key_requests "$K2" 0
        [[ "$(key_field first state)" == ready ]] || fail "$s/$cmd: first key was marked: $(cat "$T/status.json")"
        [[ "$(key_field second state)" == ready ]] || fail "$s/$cmd: second key was marked"
    done
    # Machine mode: one JSON line of the upstream shape on stderr.
    for mode in "ask --json" "stream --raw"; do
        # shellcheck disable=SC2086 # mode is two words on purpose
        run_pool $mode "question"
        expect_rc 1
        expect_out_empty
        stderr_json_line
        expect_err_contains "\"${TYPE[$s]}\""
        expect_err_contains "scripted message $s"
        expect_err_contains '"request_id":"req_test_'$s'"'
        expect_key_requests "$K2" 0
    done
    want=4
    [[ $s == 5* ]] && want=12 # three tries each, on the same key
    expect_key_requests "$K1" $want
done
echo "ok"
