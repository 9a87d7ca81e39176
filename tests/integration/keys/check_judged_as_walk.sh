#!/usr/bin/env bash
# `bridge keys check` judges a probe's answer as a walk judges an answer
# (one reading, then the walk's classification):
#  - a 200 whose body is cut off proves nothing: the row is an error and the
#    key's disabled mark stays;
#  - a 400 that names a spend limit cools the key for every model, as a walk
#    would, rather than being reported as a plain error.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_CUT=sk-ant-test-judge-cut-00000001
K_SPEND=sk-ant-test-judge-spend-000002

start_mock '{
  "keys": {"'$K_CUT'": {}, "'$K_SPEND'": {}},
  "models": {"'$K_CUT'": {"make-marks": {"status": 401}}},
  "probe": {
    "'$K_CUT'": {"drop_after": 10},
    "'$K_SPEND'": {"status": 400, "error_message": "You have reached your specified API usage limits. You will regain access on 2099-01-01 at 00:00 UTC."}
  }
}'
setup_pool "cut $K_CUT" "spend $K_SPEND"

# "cut" was disabled by a 401 in an earlier walk (at this host: marks belong
# to the host they were learned from).
run_pool ask -m make-marks --no-stdin "make marks"
expect_rc 0
[[ "$(key_field cut state)" == disabled ]] || fail "setup: cut not disabled: $(cat "$T/status.json")"

run_pool keys check
grep -qE '^cut +sk-a\.\.\.0001 +error +200, then failed' "$T/out" || fail "row of cut: $(cat "$T/out")"
grep -qE '^spend +sk-a\.\.\.0002 +rate_limited +400 ' "$T/out" || fail "row of spend: $(cat "$T/out")"
! grep -qF "cleared" "$T/err" || fail "a cut-off 200 cleared a disabled mark: $(cat "$T/err")"
for k in $K_CUT $K_SPEND; do
    ! grep -qF "$k" "$T/out" "$T/err" || fail "a key was printed"
done

[[ "$(key_field cut state)" == disabled ]] || fail "cut was cleared: $(cat "$T/status.json")"
[[ "$(key_field spend state)" == cooling ]] || fail "spend not cooling: $(cat "$T/status.json")"
[[ "$(key_field spend reason)" == spend_limit ]] || fail "spend reason: $(cat "$T/status.json")"
echo ok
