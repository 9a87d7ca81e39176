#!/usr/bin/env bash
# A proactive mark on a real redis-server: machine A's success whose
# anthropic-ratelimit-requests-remaining is 0 cools the key for that model
# (until the reset, measured against the response's Date) in the model's
# scope on the server, with a relative expiry; machine B then skips the key
# for that model without asking it, and sees the limits A read in keys
# status.  The claim B makes reads the estimate A's answer left on the server.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

KA=sk-ant-test-redis-proactive-0001
KB=sk-ant-test-redis-proactive-0002
# The mock's Date is an hour behind our clock: the cooldown is the 60 s from
# the end of the Date's second (an HTTP date has whole seconds) to the reset,
# whatever the clocks say (the longest a proactive
# cooldown may be, so that a slow machine has the most time to see it). The limit is one request, so
# the first request is back only at the reset (docs/marks.md, "Claims").
then=$(($(date +%s) - 3600))
date_hdr=$(date -u -d "@$then" '+%a, %d %b %Y %H:%M:%S GMT')
reset=$(date -u -d "@$((then + 61))" '+%Y-%m-%dT%H:%M:%SZ')
start_mock '{
  "keys": {"'$KB'": {"text": "b served"}},
  "models": {"'$KA'": {"claude-opus-4-1": {"text": "a served", "headers": {"Date": "'"$date_hdr"'",
        "anthropic-ratelimit-requests-limit": "1", "anthropic-ratelimit-requests-remaining": "0",
        "anthropic-ratelimit-requests-reset": "'$reset'"}}}}
}'
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
setup_pool "a $KA" "b $KB"
STATE="$REDIS_URL/0?prefix=pa:&timeout=$REDIS_TIMEOUT_MS"
machine A
machine B

on_machine A run_pool ask -m claude-opus-4-1 -v "hi"
expect_rc 0
expect_out_eq "a served"
expect_err_contains "key a (sk-a...0001): requests_remaining_0, cooling for 1m00s for claude-opus-4-1"

mark=$(redis_marks pa:)
[[ $(grep -c . <<<"$mark") -eq 1 && "$(cut -f2 <<<"$mark")" == model:claude-opus-4-1 ]] || fail "the proactive mark on the server: $mark"
[[ "$(cut -f9 <<<"$mark")" == requests_remaining_0 ]] || fail "reason on the server: $mark"
expect_between "$(redis_mark_left pa: "$(cut -f1 <<<"$mark")" model:claude-opus-4-1)" 1 60000 "time left of the proactive mark"

on_machine B run_pool ask -m claude-opus-4-1 -v "hi"
expect_rc 0
expect_out_eq "b served"
# The bucket A's answer taught is on the server too (claims on Redis), and
# its estimate decides for a key under a requests_remaining_0 mark, as with
# the state file (marks/proactive.sh).
expect_err_contains "key a (sk-a...0001): skipped, no request left for claude-opus-4-1 for"
expect_key_requests "$KA" 1

on_machine B run_pool keys status -m claude-opus-4-1 --json
expect_rc 0
row=$(tr -d '\n ' <"$T/out" | grep -oE '\{"label":"a".*"label":"b"' || true)
[[ "$row" == *'"state":"cooling"'* ]] || fail "a not cooling for opus on B: $(cat "$T/out")"
[[ "$row" == *'"reason":"requests_remaining_0"'* ]] || fail "reason on B: $row"
[[ "$row" == *'"limits":{"claude-opus-4-1":{"seen":"'*'","requests":{"remaining":0,"limit":1,"reset":"'*'"}}}'* ]] ||
    fail "limits of a on B: $row"
[[ ! -e "$(machine_state A)" && ! -e "$(machine_state B)" ]] || fail "a local state file was written while Redis answered"
echo ok
