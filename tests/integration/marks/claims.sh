#!/usr/bin/env bash
# docs/marks.md "Claims": a key whose request bucket is known is used only by
# claiming a unit of its estimate, atomically across processes (the ledger
# <state>.claims), so concurrent processes spread over the keys instead of
# piling on the first one until it answers 429; a key whose estimate is
# empty is skipped without a request, and a walk that finds every bucket
# empty exits 75 without asking the upstream.
#
# The mock enforces buckets of 5 requests per (key, model) that refill once
# every 12 minutes: over the test the refill is a small fraction of a unit,
# so every count below is exact whatever the machine's speed (nothing here
# depends on timing).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/claims.sh
source "$(dirname "$0")/../lib/claims.sh"

KA=sk-ant-test-claims-a-00000001
KB=sk-ant-test-claims-b-00000002
KC=sk-ant-test-claims-c-00000003
MODEL=claude-opus-4-1
start_mock '{"default": {"text": "served"}, "buckets": {"requests": 5, "per_ms": 3600000}}'

# ---- learn each key's bucket: one request each, through a key file of that
# key alone (the ledger is by key fingerprint, so the pool's walk sees it) ---
STATE="$T/state/state.json"
for pair in "a $KA" "b $KB" "c $KC"; do
    KEYS=$(write_key_file "$pair")
    run_pool ask -m "$MODEL" --no-stdin "hi"
    expect_rc 0
done
[[ -f "$STATE.claims" ]] || fail "no claims ledger next to the state file"
[[ $(stat -c %a "$STATE.claims") == 600 ]] || fail "ledger mode $(stat -c %a "$STATE.claims")"

# ---- 12 processes at once over the pool a, b, c: 4 units left on each ----
KEYS=$(write_key_file "a $KA" "b $KB" "c $KC")
claim_at_once 12 "$MODEL"
# Without claims all twelve walk to a first: a serves 4 and eight 429s
# follow. With claims each key gets exactly its 4 units and no request is
# refused.
refused=$(by_status 429)
[[ $refused == 0 ]] || fail "$refused requests answered 429 (claims should prevent every one)"
[[ $(mock_key_requests "$KA") == 5 ]] || fail "key a: $(mock_key_requests "$KA") requests, expected 1 + 4"
[[ $(mock_key_requests "$KB") == 5 ]] || fail "key b: $(mock_key_requests "$KB") requests, expected 1 + 4"
[[ $(mock_key_requests "$KC") == 5 ]] || fail "key c: $(mock_key_requests "$KC") requests, expected 1 + 4"

# ---- every bucket is empty now: no request, exit 75, -v says why --------
before=$(mock_requests)
run_pool ask -m "$MODEL" -v --no-stdin "hi"
expect_rc 75
expect_err_contains "key a (sk-a...0001): skipped, "
expect_err_contains "all 3 configured keys are rate-limited (retry after"
[[ $(mock_requests) == "$before" ]] || fail "an empty pool still sent a request"

# keys status says what the walk found: every key cooling for the model
# until its next request (the estimate, as a proactive mark), exit 75.
run_pool keys status -m "$MODEL"
expect_rc 75
[[ $(grep -c 'cooling .*(200 requests_remaining_0)' "$T/out") == 3 ]] ||
    fail "keys status does not show the three empty buckets: $(cat "$T/out")"

# Another model has buckets of its own: a serves at once.
run_pool ask -m claude-sonnet-4-5 --no-stdin "hi"
expect_rc 0
[[ $(mock_key_requests "$KA") == 6 ]] || fail "sonnet did not go to key a"
[[ $(by_status 429) == 0 ]] || fail "a 429 for sonnet"
echo ok
