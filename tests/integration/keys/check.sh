#!/usr/bin/env bash
# `bridge keys check` (one GET /v1/models?limit=1 per key): 200 clears a
# disabled mark and leaves cooldowns alone, 401/403 disable, 429 cools for the
# delay asked, anything else is reported and recorded nowhere; the table and
# --json rows; exit 0 / 77 / 75 / 69 / 1; labels choose keys; no key is ever shown.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_OK=sk-ant-test-check-ok-000000001
K_BACK=sk-ant-test-check-back-0000002
K_401=sk-ant-test-check-401-0000003
K_403=sk-ant-test-check-403-0000004
K_429=sk-ant-test-check-429-0000005
K_500=sk-ant-test-check-500-0000006

start_mock '{
  "keys": {"'$K_OK'": {}, "'$K_BACK'": {}, "'$K_401'": {}, "'$K_403'": {}, "'$K_429'": {}, "'$K_500'": {}},
  "models": {"'$K_OK'": {"make-marks": {"status": 429, "error_code": "enforced_spend_limit_reached"}},
             "'$K_BACK'": {"make-marks": {"status": 401}}},
  "probe": {
    "'$K_401'": {"status": 401},
    "'$K_403'": {"status": 403, "error_message": "this key may not list models"},
    "'$K_429'": {"status": 429, "headers": {"retry-after": "2520"}},
    "'$K_500'": {"status": 500, "error_message": "boom"}
  }
}'
setup_pool "ok $K_OK" "back $K_BACK" "r401 $K_401" "r403 $K_403" "r429 $K_429" "r500 $K_500"

# "back" was disabled by a spurious 401 earlier, and "ok" is cooling (a spend
# limit, key-wide): marks made by bridge itself, at this host (marks belong to
# the host they were learned from), in a walk that r401 serves.
run_pool ask -m make-marks --no-stdin "make marks"
expect_rc 0
[[ "$(key_field back state)" == disabled ]] || fail "setup: back not disabled: $(cat "$T/status.json")"
[[ "$(key_field ok state)" == cooling ]] || fail "setup: ok not cooling: $(cat "$T/status.json")"

t0=$(now_ms)
run_pool keys check
expect_rc 0
head -n 1 "$T/out" | grep -qE '^LABEL +HINT +RESULT +DETAIL$' || fail "no table header"
grep -qE '^ok +sk-a\.\.\.0001 +ok +200' "$T/out" || fail "row of ok"
grep -qE '^back +sk-a\.\.\.0002 +ok +200' "$T/out" || fail "row of back"
grep -qE '^r401 +sk-a\.\.\.0003 +refused +401 authentication_error' "$T/out" || fail "row of r401"
grep -qE '^r403 +sk-a\.\.\.0004 +refused +403 permission_error.*this key may not list models' "$T/out" || fail "row of r403"
grep -qE '^r429 +sk-a\.\.\.0005 +rate_limited +429 rate_limit_error.*cooling for 42m00s' "$T/out" || fail "row of r429"
grep -qE '^r500 +sk-a\.\.\.0006 +error +500 api_error: boom' "$T/out" || fail "row of r500"
expect_err_contains "cleared 1 disabled mark"
# A key the check disables is said without -v, with the way back.
expect_err_contains "key r401 (sk-a...0003) was refused (401 authentication_error) and is disabled until re-enabled: bridge keys reset r401"
expect_err_contains "key r403 (sk-a...0004) was refused (403 permission_error) and is disabled until re-enabled: bridge keys reset r403"
for k in $K_OK $K_BACK $K_401 $K_403 $K_429 $K_500; do
    case $k in "$K_OK" | "$K_BACK" | "$K_401") expect_key_requests "$k" 2 ;; *) expect_key_requests "$k" 1 ;; esac
    ! grep -qF "$k" "$T/out" "$T/err" || fail "a key was printed"
done
expect_mock_log_contains '"method":"GET","path":"/v1/models"'
grep -F '"path":"/v1/models"' "$(mock_log)" | grep -qF '"anthropic-version":"2023-06-01"' || fail "probe without anthropic-version"
grep -qF 'limit=1' "$(mock_log)" || true # the query string is not logged by the mock; the path is
# (the three messages are the walk that made the marks; keys check sends none)
[[ $(grep -c '"path":"/v1/messages"' "$(mock_log)") == 3 ]] || fail "keys check sent a message: $(cat "$(mock_log)")"

# What was recorded: back usable again, ok still cooling, 401/403 disabled, 429 cooling 42 minutes (long: no slow machine outlives it), 500 nothing.
[[ "$(key_field back state)" == ready ]] || fail "back was not cleared: $(cat "$T/status.json")"
[[ "$(key_field ok state)" == cooling ]] || fail "a cooldown was cleared by a 200: $(cat "$T/status.json")"
[[ "$(key_field r401 state)" == disabled ]] || fail "401 did not disable: $(cat "$T/status.json")"
[[ "$(key_field r403 state)" == disabled ]] || fail "403 did not disable: $(cat "$T/status.json")"
[[ "$(key_field r429 state)" == cooling ]] || fail "429 did not cool: $(cat "$T/status.json")"
expect_retry_in r429 2520000 "$t0" "r429 cooldown"
[[ "$(key_field r500 state)" == ready ]] || fail "a 500 was recorded: $(cat "$T/status.json")"

# --json rows.
run_pool keys check --json r500 r401 ok
expect_rc 0
rows=$(tr -d '\n ' <"$T/out")
[[ "$rows" == '[{"label":"r500","hint":"sk-a...0006","result":"error","status":500,"message":"boom"},{"label":"r401","hint":"sk-a...0003","result":"refused","status":401,"message":"invalidx-api-key"},{"label":"ok","hint":"sk-a...0001","result":"ok","status":200,"message":""}]' ]] ||
    fail "--json rows: $rows"

# Exit codes: every key refused -> 77; every key rate-limited, or refused,
# -> 75 (as a walk that finds every key cooling); an error that is not the
# key's -> 1; unknown label -> 2.
run_pool keys check r401 r403
expect_rc 77
run_pool keys check r429
expect_rc 75
run_pool keys check r429 r401
expect_rc 75
run_pool keys check r500 r429
expect_rc 1
run_pool keys check nosuch
expect_rc 2
expect_err_contains "no key labelled 'nosuch'"

# Upstream unreachable -> 69, naming the URL.
stop_mock
run_pool keys check
expect_rc 69
expect_err_not_contains "sk-ant"
grep -qE '^ok +sk-a\.\.\.0001 +error +cannot reach http://127\.0\.0\.1' "$T/out" || fail "unreachable row"
echo ok
