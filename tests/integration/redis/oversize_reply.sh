#!/usr/bin/env bash
# A server cannot make bridge take unbounded memory: a bulk string of a
# gigabyte, or an array of twenty million elements, is refused once past
# what bridge accepts from Redis (64 MiB, a million elements), with the
# fallback's one warning, and the peak RSS stays far below the reply's size.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/hostile.sh
source "$(dirname "$0")/../lib/hostile.sh"

need_gnu_time
K_ONE=sk-ant-test-oversize-reply-0001
start_mock '{"default": {"text": "served"}}'
setup_pool "one $K_ONE"
# Without the bound each of these took more than a gigabyte.
limit_kb=$(rss_limit_kb 400000 1200000)

for mode in huge-bulk huge-array; do
    start_hostile_redis "$mode"
    # A long timeout: the size bound, not the deadline, must end it.
    STATE="redis://127.0.0.1:$HOSTILE_PORT?timeout=600000"
    _LAST_CMD="bridge keys status against $mode"
    RC=0
    timeout -k 5 120 "$TIME" -f '%M' -o "$T/rss" "$BRIDGE" keys status --key-file "$KEYS" \
        --state "$STATE" >"$T/out" 2>"$T/err" || RC=$?
    expect_rc 0
    expect_err_contains "shared state redis://127.0.0.1:$HOSTILE_PORT/0: a reply larger than bridge accepts"
    expect_err_contains "using the local state file"
    rss=$(tail -n 1 "$T/rss")
    echo "$mode: peak RSS $rss kB"
    expect_between "$rss" 0 "$limit_kb" "$mode: peak RSS (kB)"
done
echo "ok"
