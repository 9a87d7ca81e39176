#!/usr/bin/env bash
# docs/contract.md (Retry-After) `bridge parse-retry-after`: the delay a response asks for, from
# -H headers or a raw header block on stdin; whole milliseconds, or seconds
# with --seconds; malformed input yields 0 with exit 0; unknown options exit 2.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

# pra WANT ARGS...: parse-retry-after ARGS prints WANT and exits 0.
pra() {
    local want=$1
    shift
    run_bridge parse-retry-after "$@"
    expect_rc 0
    expect_out_eq "$want"
}
# pra_stdin WANT TEXT ARGS...
pra_stdin() {
    local want=$1 text=$2
    shift 2
    run_bridge_stdin "$text" parse-retry-after "$@"
    expect_rc 0
    expect_out_eq "$want"
}

pra 2500 -H 'retry-after-ms: 2500'
pra 2.5 -H 'retry-after-ms: 2500' --seconds
pra 7000 -H 'Retry-After: 7'
pra 7 -H 'Retry-After: 7' --seconds
pra 1500 -H 'Retry-After: 1.5'
pra 100 -H 'RETRY-AFTER-MS: 100' -H 'retry-after: 9'
pra 1500 -H 'retry-after-ms:    1500   '
pra 4000 -H 'retry-after:  4 '
# An invalid, zero or negative retry-after-ms falls back to Retry-After.
pra 3000 -H 'retry-after-ms: soon' -H 'Retry-After: 3'
pra 3000 -H 'retry-after-ms: 0' -H 'Retry-After: 3'
pra 3000 -H 'retry-after-ms: -5' -H 'Retry-After: 3'
# HTTP-dates, from the response's Date header.
pra 30000 -H 'Date: Wed, 21 Oct 2015 07:28:00 GMT' -H 'Retry-After: Wed, 21 Oct 2015 07:28:30 GMT'
pra 30000 -H 'Date: Wed, 21 Oct 2015 07:28:00 GMT' -H 'Retry-After: Wednesday, 21-Oct-15 07:28:30 GMT'
pra 30000 -H 'Date: Wed, 21 Oct 2015 07:28:00 GMT' -H 'Retry-After: Wed Oct 21 07:28:30 2015'
# ... else from now: a date in the past is 0, one about a minute ahead is about 60 s.
pra 0 -H 'Retry-After: Wed, 21 Oct 2015 07:28:30 GMT'
# The expectation comes from the clock read just before and just after the
# run: bridge read "now" somewhere between them.
ahead_s=$(($(date +%s) + 90))
ahead=$(LC_ALL=C date -u -d "@$ahead_s" '+%a, %d %b %Y %H:%M:%S GMT')
t0=$(now_ms)
run_bridge parse-retry-after -H "Retry-After: $ahead"
t1=$(now_ms)
expect_rc 0
expect_between "$(cat "$T/out")" $((ahead_s * 1000 - t1)) $((ahead_s * 1000 - t0)) \
    "ms to an HTTP-date 90 s ahead"
# Nothing usable: 0, exit 0; a closed standard input is no input.
RC=0
"$BRIDGE" parse-retry-after <&- >"$T/out" 2>"$T/err" || RC=$?
expect_rc 0
expect_out_eq 0
pra 0
pra 0 -H 'Retry-After: 0'
pra 0 -H 'Retry-After: -3'
pra 0 -H 'Retry-After: later'
pra 0 -H 'no colon here'
pra 0 -H 'X-Other: 5'
pra 0 --seconds

# A raw header block on stdin, as `curl -sD -` prints it; the last response counts.
pra_stdin 2000 $'HTTP/1.1 429 Too Many Requests\r\nretry-after: 2\r\ncontent-type: application/json\r\n\r\n'
pra_stdin 2000 $'HTTP/1.1 429 Too Many Requests\nRetry-After: 2\n\n'
pra_stdin 2000 $'HTTP/1.1 503 Slow Down\r\nretry-after-ms: 50\r\n\r\nHTTP/1.1 429 Too Many Requests\r\nretry-after: 2\r\n\r\n'
pra_stdin 0 $'HTTP/1.1 429 Too Many Requests\r\nretry-after-ms: 100\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n'
pra_stdin 2.5 $'HTTP/2 429\r\nretry-after-ms: 2500\r\n\r\n' --seconds
pra_stdin 0 $'\x01\x02 binary junk\n:::\n'
pra_stdin 0 ""

run_bridge parse-retry-after --bogus
expect_rc 2
expect_out_empty
echo "ok"
