#!/usr/bin/env bash
# docs/marks.md: spend and billing answers are key-specific and cool the key for
# every model: a 429 enforced_spend_limit_reached until the time its message
# names (else an hour), the 400 usage-limit messages and a 402 for an hour.
# Each fails over to the next key; keys status says spend_limit / billing (its
# table: the limit and its end as a date); -v says why the key is skipped;
# without -v the mark is said once on stderr. Any other 400 is still reported at once.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_SPEND=sk-ant-test-spend-0000000001
K_NOTIME=sk-ant-test-notime-000000002
K_WS=sk-ant-test-workspace-0000003
K_BILL=sk-ant-test-billing-00000004
K_OK=sk-ant-test-fine-00000000005
regain=$(date -u -d '+3 days' +%Y-%m-%d)
start_mock '{
  "keys": {
    "'$K_SPEND'": {"status": 429, "error_code": "enforced_spend_limit_reached",
                   "error_message": "You have reached your API usage limits: your organization has crossed its monthly API usage threshold. You will regain access on '$regain' at 00:00 UTC."},
    "'$K_NOTIME'": {"status": 429, "error_code": "enforced_spend_limit_reached", "error_message": "spend limit"},
    "'$K_WS'": {"status": 400, "error_message": "You have reached your specified workspace API usage limits. You will regain access on '$regain' at 00:00 UTC."},
    "'$K_BILL'": {"status": 402},
    "'$K_OK'": {"text": "served"}
  }
}'
setup_pool "spend $K_SPEND" "notime $K_NOTIME" "ws $K_WS" "bill $K_BILL" "ok $K_OK"

t0=$(now_ms)
run_pool ask -m claude-opus-4-1 -v "hi"
expect_rc 0
expect_out_eq "served"
expect_err_contains "key spend (sk-a...0001): 429 rate_limit_error (spend_limit), cooling for"
expect_err_contains "key bill (sk-a...0004): 402 billing_error (billing), cooling for 1h00m for every model"
for k in $K_SPEND $K_NOTIME $K_WS $K_BILL $K_OK; do
    expect_key_requests "$k" 1
done

keys_status
[[ "$(key_field spend state)" == cooling ]] || fail "spend: $(cat "$T/status.json")"
[[ "$(key_field spend reason)" == spend_limit ]] || fail "spend reason: $(cat "$T/status.json")"
[[ "$(key_field spend until)" == "${regain}T00:00:00.000Z" ]] || fail "spend until: $(cat "$T/status.json")"
[[ "$(key_field notime reason)" == spend_limit ]] || fail "notime reason: $(cat "$T/status.json")"
expect_retry_in notime 3600000 "$t0" "spend limit without a time: an hour"
[[ "$(key_field ws reason)" == spend_limit ]] || fail "ws reason: $(cat "$T/status.json")"
[[ "$(key_field ws status)" == 400 ]] || fail "ws status: $(cat "$T/status.json")"
expect_retry_in ws 3600000 "$t0" "400 usage limit: an hour"
[[ "$(key_field bill reason)" == billing ]] || fail "bill reason: $(cat "$T/status.json")"
expect_retry_in bill 3600000 "$t0" "402: an hour"
# The table names the limit and shows its end as a date, not "retry in 71h..".
run_pool keys status
grep -qE "^spend +sk-a\.\.\.0001 +cooling +spend limit until ${regain}T00:00:00\.000Z \(429 spend_limit\)$" "$T/out" ||
    fail "spend's row: $(cat "$T/out")"
grep -qE '^bill +sk-a\.\.\.0004 +cooling +billing problem until [0-9T:.-]+Z \(402 billing\)$' "$T/out" ||
    fail "bill's row: $(cat "$T/out")"
! grep -qF "retry in" "$T/out" || fail "a spend or billing limit shown as a delay: $(cat "$T/out")"
# Key-wide: the top-level fields of the entry, read by every bridge version.
[[ "$(state_field spend mark)" == cooling ]] || fail "spend mark not key-wide: $(cat "$STATE")"

# Another model skips them all, saying why.
run_pool ask -m claude-haiku-4-5 -v "hi"
expect_rc 0
expect_err_contains "key spend (sk-a...0001): skipped, spend limit until ${regain}T00:00:00.000Z"
expect_err_contains "key bill (sk-a...0004): skipped, billing problem until"
expect_key_requests "$K_SPEND" 1
expect_key_requests "$K_OK" 2

# Without -v: one line each on stderr, saying the limit, its end and the way
# back, as a refusal is said; a later run that skips them says nothing.
STATE="$T/state-quiet/state.json"
run_pool ask -m claude-opus-4-1 "hi"
expect_rc 0
expect_err_contains "warning: key spend (sk-a...0001) reached its spend limit (429 spend_limit): it rests for every model until ${regain}T00:00:00.000Z, or until bridge keys reset spend once that is solved"
expect_err_contains "warning: key bill (sk-a...0004) has a billing problem (402 billing): it rests for every model until"
[[ $(wc -l <"$T/err") -eq 4 ]] || fail "one line per key at a limit (spend, notime, ws, bill): $(cat "$T/err")"
run_pool ask -m claude-opus-4-1 "hi"
expect_rc 0
expect_err_empty

# Any other 400 is reported without failover.
start_mock '{"keys": {"'$K_SPEND'": {"status": 400, "error_message": "max_tokens: too large"}}}' other
STATE="$T/state2/state.json"
POOL_URL=$(mock_url other) run_pool ask "hi"
expect_rc 1
expect_err_contains "max_tokens: too large"
expect_key_requests "$K_OK" 0 other
echo ok
