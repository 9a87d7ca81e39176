#!/usr/bin/env bash
# docs/marks.md proactive marks: a success whose anthropic-ratelimit-*-remaining is
# 0 cools the key for that model until the matching -reset (measured against
# the response's Date) for tokens, until the first request is back (1/limit of
# the way to the reset) for requests, at most 60 s, so the next run does not
# spend a request on a 429; the last limits seen are kept and shown by keys
# status.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

KA=sk-ant-test-proactive-a-00001
KB=sk-ant-test-proactive-b-00002
# The mock's Date is an hour behind our clock: the reset, 55 s after the end
# of that Date's second (the latest moment the answer can have left: an
# HTTP date has whole seconds), must still give a 55 s cooldown (measured
# against Date, not now).
# 55 s (under the 60 s cap) so that the runs below, however slow the
# machine, still find it cooling.
then=$(($(date +%s) - 3600))
date_hdr=$(date -u -d "@$then" '+%a, %d %b %Y %H:%M:%S GMT')
reset=$(date -u -d "@$((then + 56))" '+%Y-%m-%dT%H:%M:%SZ')
far=$(date -u -d "@$((then + 600))" '+%Y-%m-%dT%H:%M:%SZ')
start_mock '{
  "keys": {"'$KB'": {"text": "b served"}},
  "models": {"'$KA'": {
    "claude-opus-4-1": {"text": "a served", "headers": {"Date": "'"$date_hdr"'",
        "anthropic-ratelimit-requests-limit": "1", "anthropic-ratelimit-requests-remaining": "0",
        "anthropic-ratelimit-requests-reset": "'$reset'",
        "anthropic-ratelimit-tokens-limit": "40000", "anthropic-ratelimit-tokens-remaining": "39000",
        "anthropic-ratelimit-tokens-reset": "'$reset'"}},
    "claude-haiku-4-5": {"text": "a served", "headers": {"Date": "'"$date_hdr"'",
        "anthropic-ratelimit-output-tokens-limit": "8000", "anthropic-ratelimit-output-tokens-remaining": "0",
        "anthropic-ratelimit-output-tokens-reset": "'$far'"}},
    "claude-opus-4-5": {"text": "a served", "headers": {"Date": "'"$date_hdr"'",
        "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "0",
        "anthropic-ratelimit-requests-reset": "'$reset'"}},
    "claude-sonnet-4-5": {"text": "a served", "headers": {
        "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "49"}}
  }}
}'
setup_pool "a $KA" "b $KB"

t0=$(now_ms)
run_pool ask -m claude-opus-4-1 -v "hi"
expect_rc 0
expect_out_eq "a served"
expect_err_contains "key a (sk-a...0001): requests_remaining_0, cooling for 55s for claude-opus-4-1"

# The next run for opus goes straight to b: a is not asked again (its request
# bucket is known to be empty: the estimate says so, docs/marks.md "Claims").
run_pool ask -m claude-opus-4-1 -v "hi"
expect_rc 0
expect_out_eq "b served"
expect_err_contains "key a (sk-a...0001): skipped, no request left for claude-opus-4-1 for"
expect_key_requests "$KA" 1

run_pool keys status -m claude-opus-4-1 --json
expect_rc 0
row=$(tr -d '\n ' <"$T/out" | grep -oE '\{"label":"a".*"label":"b"' || true)
[[ "$row" == *'"state":"cooling"'* ]] || fail "a not cooling for opus: $(cat "$T/out")"
ms=$(sed -n 's/.*"retry_in_ms": \([0-9]*\).*/\1/p' "$T/out" | head -n 1)
elapsed=$(($(now_ms) - t0))
expect_between "$ms" $((55000 - elapsed - 2)) 55002 "proactive cooldown until the reset (55 s after Date), $elapsed ms after the run began"
# limits: remaining and limit per kind, for the model.
[[ "$row" == *'"limits":{"claude-opus-4-1":{"seen":"'*'","requests":{"remaining":0,"limit":1,"reset":"'*'"},"tokens":{"remaining":39000,"limit":40000,"reset":"'*'"}}}'* ]] ||
    fail "limits of a: $row"

# Requests come back one by one: with 50 a limit, the first of them is back
# after 55 s / 50 = 1.1 s (shown rounded up to 2s), long before the bucket
# is full again.
run_pool ask -m claude-opus-4-5 -v "hi"
expect_rc 0
expect_err_contains "requests_remaining_0, cooling for 2s for claude-opus-4-5"

# A reset ten minutes away cools for at most 60 s.
run_pool ask -m claude-haiku-4-5 -v "hi"
expect_rc 0
expect_err_contains "output_tokens_remaining_0, cooling for 1m00s for claude-haiku-4-5"

# Limits with nothing used up: kept and shown, no mark.
run_pool ask -m claude-sonnet-4-5 "hi"
expect_rc 0
run_pool keys status
expect_rc 0
grep -qE '^ +limits +claude-sonnet-4-5: requests 49/50$' "$T/out" || fail "limits line: $(cat "$T/out")"
run_pool keys status -m claude-sonnet-4-5 --json
grep -q '"state": "ready"' "$T/out" || fail "sonnet not ready"
echo ok
