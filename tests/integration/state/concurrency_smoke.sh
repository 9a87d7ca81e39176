#!/usr/bin/env bash
# docs/contract.md (the state file) (smoke): 16 bridge processes at once share one state file, each with
# its own key file whose first key answers 429 (after a short delay, so that
# the marks are written together) and whose second serves. All exit 0 and all
# 16 cooldowns are in the state file: no invocation's mark is lost.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

N=16
script='{"keys": {'
for ((i = 1; i <= N; i++)); do
    script+='"sk-ant-test-conc-'$i'-first-Cc0001": {"status": 429, "delay_ms": 150, "headers": {"retry-after-ms": "60000"}},'
    script+='"sk-ant-test-conc-'$i'-second-Cc002": {"text": "served '$i'"},'
done
script+='"unused": {}}}'
start_mock "$script"

STATE="$T/common/state.json"
for ((i = 1; i <= N; i++)); do
    printf 'first-%s sk-ant-test-conc-%s-first-Cc0001\nsecond-%s sk-ant-test-conc-%s-second-Cc002\n' \
        "$i" "$i" "$i" "$i" >"$T/keys-$i"
    chmod 600 "$T/keys-$i"
done
for ((i = 1; i <= N; i++)); do
    bg_bridge "run$i" ask --key-file "$T/keys-$i" --state "$STATE" --base-url "$MOCK_URL" "hi"
done
for ((i = 1; i <= N; i++)); do
    bg_wait "run$i" "$HANG_GUARD_S"
    [[ $RC -eq 0 ]] || fail "run $i: exit $RC: $(cat "$T/run$i.err")"
    [[ "$(cat "$T/run$i.out")" == "served $i" ]] || fail "run $i printed: $(cat "$T/run$i.out")"
done
expect_requests $((2 * N))
[[ -f "$STATE" ]] || fail "no state file"
cooling=$(json_objects "$STATE" | grep -cE '"mark"[[:space:]]*:[[:space:]]*"cooling"' || true)
[[ $cooling -eq $N ]] || fail "$cooling cooldowns in the state file, want $N: $(cat "$STATE")"
for ((i = 1; i <= N; i++)); do
    [[ "$(model_field "first-$i" mark)" == cooling ]] || fail "the mark of run $i is lost: $(cat "$STATE")"
done
# The file is whole JSON: bridge itself reads it back without a warning.
for ((i = 1; i <= N; i += 5)); do
    run_bridge keys status --key-file "$T/keys-$i" --state "$STATE"
    expect_rc 0
    expect_err_empty
    expect_out_contains "cooling"
done
[[ ! -e "$STATE.corrupt" ]] || fail "the shared state file was found corrupt"
echo "ok"
