#!/usr/bin/env bash
# Proactive marks with --provider openai (docs/marks.md, docs/providers.md): a success whose
# x-ratelimit-remaining-requests or -tokens is 0 cools the key until the
# matching x-ratelimit-reset-* (a Go duration; for requests, until the first
# request is back, 1/limit of the way), at most 60 s, so that the next
# invocation goes to the next key instead of spending a request on a 429. The
# same rule as for Anthropic's headers: the provider only reads them.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# keys status answers for the model the requests name (a 429 cools a key for
# that model only).
export STATUS_MODEL=gpt-4o-mini

K_LAST=sk-proj-test-pro-last-Gh000001
K_TOK=sk-proj-test-pro-tok-Gh0000002
K_LONG=sk-proj-test-pro-long-Gh000003
K_MORE=sk-proj-test-pro-more-Gh000004
K_NEXT=sk-proj-test-pro-next-Gh000005
start_mock '{"keys": {
  "'$K_LAST'": {"text": "last request", "headers": {"x-ratelimit-limit-requests": "1",
      "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "30s",
      "x-ratelimit-remaining-tokens": "1000", "x-ratelimit-reset-tokens": "2s"}},
  "'$K_TOK'": {"text": "last tokens", "headers": {"x-ratelimit-remaining-requests": "3",
      "x-ratelimit-reset-requests": "50s", "x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "40s"}},
  "'$K_LONG'": {"text": "a long reset", "headers": {"x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": "1h0m0s"}},
  "'$K_MORE'": {"text": "plenty left", "headers": {"x-ratelimit-remaining-requests": "499",
      "x-ratelimit-reset-requests": "120ms", "x-ratelimit-remaining-tokens": "29000"}},
  "'$K_NEXT'": {"text": "the next key"}}}'
POOL_URL="$MOCK_URL/v1"
export BRIDGE_PROVIDER=openai

check() { # LABEL KEY TEXT DELAY_MS REASON: the key serves, then cools for DELAY_MS
    local label=$1 key=$2 text=$3 delay=$4 reason=$5 t0
    setup_pool "$label $key" "next $K_NEXT"
    STATE="$T/state-$label/state.json"
    t0=$(now_ms)
    run_pool ask -v "go"
    expect_rc 0
    expect_out_eq "$text"
    [[ "$(key_field "$label" state)" == cooling ]] || fail "$label: not cooling after a used-up limit: $(cat "$T/status.json")"
    expect_retry_in "$label" "$delay" "$t0" "$label: proactive cooldown"
    [[ "$(key_field "$label" reason)" == "$reason" ]] || fail "$label: reason: $(cat "$T/status.json")"
    run_pool stream "again"
    expect_rc 0
    expect_out_eq "the next key"
    expect_key_requests "$key" 1
}
check last "$K_LAST" "last request" 30000 requests_remaining_0
check tok "$K_TOK" "last tokens" 40000 tokens_remaining_0
check long "$K_LONG" "a long reset" 60000 requests_remaining_0

# Remaining above 0: no mark.
setup_pool "more $K_MORE" "next $K_NEXT"
STATE="$T/state-more/state.json"
run_pool ask "go"
expect_rc 0
expect_out_eq "plenty left"
[[ "$(key_field more state)" == ready ]] || fail "a key with requests left was marked: $(cat "$T/status.json")"
