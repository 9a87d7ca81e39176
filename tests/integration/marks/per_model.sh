#!/usr/bin/env bash
# docs/marks.md: a 429 cools the key for the model the request named only. Another
# model still uses the key; the same model skips it (-v says so); exhaustion
# is judged per model; `keys status` lists per-model cooldowns under their key
# and answers for one model with -m (exit 0/75/77); the state file keeps
# version 1 with the per-model mark under "models". The cooldowns last 50
# and 40 minutes: no slow machine outlives them between the steps.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

KA=sk-ant-test-model-a-000000001
KB=sk-ant-test-model-b-000000002
start_mock '{
  "keys": {"'$KA'": {"text": "a served"}, "'$KB'": {"text": "b served"}},
  "models": {"'$KA'": {"claude-opus-4-1": {"status": 429, "headers": {"retry-after": "3000"}}},
             "'$KB'": {"claude-opus-4-1": [{"text": "b served opus"}, {"status": 429, "headers": {"retry-after": "2400"}}]}}
}'
setup_pool "a $KA" "b $KB"

run_pool ask -m claude-opus-4-1 -v "hi"
expect_rc 0
expect_out_eq "b served opus"
expect_err_contains "cooling for 50m00s for claude-opus-4-1; trying the next key"

# Another model: key a serves at once.
run_pool ask -m claude-sonnet-4-5 -v "hi"
expect_rc 0
expect_out_eq "a served"
expect_err_not_contains "skipped"
expect_key_requests "$KA" 2

# The same model: a is skipped, b now 429s too: exhausted for opus (75).
run_pool ask -m claude-opus-4-1 -v "hi"
expect_rc 75
expect_err_contains "key a (sk-a...0001): skipped, cooling for claude-opus-4-1 for"
expect_err_contains "rate-limited (retry after 40m00s)" # b's, the sooner
expect_key_requests "$KA" 2

# keys status without -m: both ready (for some model), cooldowns listed.
run_pool keys status --json
expect_rc 0
rows=$(tr -d '\n ' <"$T/out")
grep -qE '^\[\{"label":"a","hint":"sk-a...0001","state":"ready","models":\[\{"model":"claude-opus-4-1","state":"cooling","retry_in_ms":[0-9]+,"until":"[^"]+","status":429,"reason":"rate_limit_error","since":"[^"]+"\}\]\}' <<<"$rows" ||
    fail "keys status --json row of a: $rows"
run_pool keys status
expect_rc 0
grep -qE '^a +sk-a\.\.\.0001 +ready$' "$T/out" || fail "table row of a"
# 50m00s at most; more than 40 minutes unless getting here took ten.
grep -qE '^ +cooling +claude-opus-4-1: retry in (4[0-9]m[0-9]{2}s|50m00s) \(429 rate_limit_error\)$' "$T/out" || fail "per-model line under a"

# -m: for opus every key is cooling (75); for sonnet one is ready (0).
run_pool keys status -m claude-opus-4-1 --json
expect_rc 75
grep -q '"model": "claude-opus-4-1"' "$T/out" || fail "-m row does not name the model: $(cat "$T/out")"
run_pool keys status -m claude-sonnet-4-5
expect_rc 0
run_pool keys status -m claude-opus-4-1 -v
expect_rc 75
expect_err_contains "key a (sk-a...0001): cooling for claude-opus-4-1 for"

# The state file: version 1, no key-wide mark, the cooldown under "models".
grep -q '"version": 1' "$STATE" || fail "state version: $(cat "$STATE")"
[[ -z "$(state_field a mark)" ]] || fail "a key-wide mark for a per-model 429: $(cat "$STATE")"
tr -d '\n ' <"$STATE" | grep -qE '"models":\{"claude-opus-4-1":\{"mark":"cooling"' || fail "no per-model mark: $(cat "$STATE")"

# A disabled key: 77 for every model.
start_mock '{"keys": {"'$KA'": {"status": 401}, "'$KB'": {"status": 403}}}' refuse
POOL_URL=$(mock_url refuse) run_pool ask -m claude-haiku-4-5 "hi"
expect_rc 77
# (at the host that refused them: marks belong to a host, docs/marks.md)
POOL_URL=$(mock_url refuse) run_pool keys status -m claude-opus-4-1
expect_rc 77
POOL_URL=$(mock_url refuse) run_pool keys status
expect_rc 77
echo ok
