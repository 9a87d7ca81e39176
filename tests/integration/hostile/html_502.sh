#!/usr/bin/env bash
# Hostile upstream: a load balancer's HTML 502 page instead of the API's JSON
# (docs/contract.md (the failover walk): any other status is reported, no failover; §6: exit 1, status and
# request-id on stderr, stdout empty; with --json / --raw one JSON line of the
# upstream shape). The page is shown as a one-line excerpt, for every
# subcommand that sends.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/hostile.sh
source "$(dirname "$0")/../lib/hostile.sh"

page='<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n'
start_mock '{"keys": {
  "sk-ant-html-first-aaaaaaaaaaaaaaaaa": {"status": 502, "body": "'"$page"'", "content_type": "text/html", "headers": {"request-id": "req_from_the_proxy"}},
  "sk-ant-html-second-bbbbbbbbbbbbbbbb": {"text": "must not be asked"}
}}'
KEYS=$(write_key_file "first sk-ant-html-first-aaaaaaaaaaaaaaaaa" "second sk-ant-html-second-bbbbbbbbbbbbbbbb")
send() {
    run_bridge "$@" --no-stdin --key-file "$KEYS" --state "$T/state/state.json" --base-url "$MOCK_URL" q
    sane
}

for cmd in ask stream; do
    send "$cmd"
    expect_rc 1
    expect_out_empty
    expect_err_contains "502"
    expect_err_contains "502 Bad Gateway"
    expect_err_contains "req_from_the_proxy"
    [[ $(wc -l <"$T/err") -eq 1 ]] || fail "$cmd: the HTML page must be reported on one line"
    ! grep -q $'\r' "$T/err" || fail "$cmd: a carriage return of the page reached stderr"
done

send ask --json
expect_rc 1
expect_out_empty
[[ $(wc -l <"$T/err") -eq 1 ]] || fail "ask --json: stderr must be one JSON line"
grep -qE '^\{"type":"error","error":\{"type":"api_error","message":"[^"]*502 Bad Gateway' "$T/err" ||
    fail "ask --json: not a JSON error line of the upstream shape"

send stream --raw
expect_rc 1
expect_out_empty
[[ $(wc -l <"$T/err") -eq 1 ]] || fail "stream --raw: stderr must be one JSON line"
grep -qE '^\{"type":"error","error":\{"type":"api_error","message":"[^"]*502 Bad Gateway' "$T/err" ||
    fail "stream --raw: not a JSON error line of the upstream shape"

# A 502 is not key-specific: no key was marked, the second key never asked.
expect_key_requests sk-ant-html-second-bbbbbbbbbbbbbbbb 0
expect_key_requests sk-ant-html-first-aaaaaaaaaaaaaaaaa 12 # 4 runs, 3 tries each (--retries 2)
run_bridge keys status --key-file "$KEYS" --state "$T/state/state.json"
expect_rc 0
expect_out_not_contains "cooling"
expect_out_not_contains "disabled"

echo "hostile_html_502 passed"
