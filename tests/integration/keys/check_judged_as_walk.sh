#!/usr/bin/env bash
# `bridge keys check` judges a probe's answer as a walk judges an answer
# (one reading, then the walk's classification):
#  - a 200 whose body is cut off proves nothing: the row is an error and the
#    key's disabled mark stays;
#  - a 400 that names a spend limit cools the key for every model, as a walk
#    would, rather than being reported as a plain error;
#  - a spend limit is named in the row, with its end as a date (the end a
#    429 names, or an hour), never as "cooling for 679h12m"; --json says
#    which limit and until when;
#  - every key rate-limited: exit 75, as a walk that finds every key cooling.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_CUT=sk-ant-test-judge-cut-00000001
K_SPEND=sk-ant-test-judge-spend-000002
K_ENDS=sk-ant-test-judge-ends-0000003

start_mock '{
  "keys": {"'$K_CUT'": {}, "'$K_SPEND'": {}, "'$K_ENDS'": {}},
  "models": {"'$K_CUT'": {"make-marks": {"status": 401}}},
  "probe": {
    "'$K_CUT'": {"drop_after": 10},
    "'$K_SPEND'": {"status": 400, "error_message": "You have reached your specified API usage limits. You will regain access on 2099-01-01 at 00:00 UTC."},
    "'$K_ENDS'": {"status": 429, "error_code": "enforced_spend_limit_reached",
                  "error_message": "You have reached your specified API usage limits. You will regain access on 2099-01-01 at 00:00 UTC."}
  }
}'
setup_pool "cut $K_CUT" "spend $K_SPEND" "ends $K_ENDS"

# "cut" was disabled by a 401 in an earlier walk (at this host: marks belong
# to the host they were learned from).
run_pool ask -m make-marks --no-stdin "make marks"
expect_rc 0
[[ "$(key_field cut state)" == disabled ]] || fail "setup: cut not disabled: $(cat "$T/status.json")"

t0=$(now_ms)
run_pool keys check
expect_rc 1 # the cut-off answer is an error, and no key works
grep -qE '^cut +sk-a\.\.\.0001 +error +200, then failed' "$T/out" || fail "row of cut: $(cat "$T/out")"
grep -qE '^spend +sk-a\.\.\.0002 +rate_limited +400 .*, spend limit until [0-9T:.-]+Z$' "$T/out" || fail "row of spend: $(cat "$T/out")"
spend_end=$(sed -nE 's/^spend .*, spend limit until ([0-9T:.-]+Z)$/\1/p' "$T/out")
expect_between "$(rfc3339_ms "$spend_end")" $((t0 + 3600000 - 2)) $(($(now_ms) + 3600000 + 2)) "the end of spend's rest (an hour)"
grep -qE '^ends +sk-a\.\.\.0003 +rate_limited +429 rate_limit_error: .*, spend limit until 2099-01-01T00:00:00\.000Z$' "$T/out" ||
    fail "row of ends: $(cat "$T/out")"
! grep -qF "cooling for" "$T/out" || fail "a spend limit shown as a cooldown: $(cat "$T/out")"
! grep -qF "cleared" "$T/err" || fail "a cut-off 200 cleared a disabled mark: $(cat "$T/err")"
for k in $K_CUT $K_SPEND $K_ENDS; do
    ! grep -qF "$k" "$T/out" "$T/err" || fail "a key was printed"
done

[[ "$(key_field cut state)" == disabled ]] || fail "cut was cleared: $(cat "$T/status.json")"
[[ "$(key_field spend state)" == cooling ]] || fail "spend not cooling: $(cat "$T/status.json")"
[[ "$(key_field spend reason)" == spend_limit ]] || fail "spend reason: $(cat "$T/status.json")"
[[ "$(key_field ends until)" == 2099-01-01T00:00:00.000Z ]] || fail "ends until: $(cat "$T/status.json")"

# --json: which limit, and until when.
run_pool keys check --json ends
expect_rc 75 # every key probed is rate-limited
[[ "$(_object_of_label "$T/out" ends | json_field limit)" == spend ]] || fail "--json limit: $(cat "$T/out")"
[[ "$(_object_of_label "$T/out" ends | json_field until)" == 2099-01-01T00:00:00.000Z ]] || fail "--json until: $(cat "$T/out")"
run_pool keys check spend ends
expect_rc 75
echo ok
