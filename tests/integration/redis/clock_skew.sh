#!/usr/bin/env bash
# Two machines whose wall clocks disagree by minutes agree on every cooldown
# shared through Redis: a cooling mark is a relative expiry on the server
# (PX), read back as the time the server has left (PTTL). Machine B runs with
# its clock 7 minutes ahead (libfaketime), machine C 5 minutes behind.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

FAKE_LIB=$(find /usr/lib -name libfaketime.so.1 -path '*faketime*' 2>/dev/null | head -n 1)
[[ -n "$FAKE_LIB" ]] || fail "libfaketime is not installed (.ci/install-deps --test)"
# The sanitizer runtime must come first, unless told not to check.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

K_A=sk-ant-test-skew-by-a-000001
K_B=sk-ant-test-skew-by-b-000002
K_OK=sk-ant-test-skew-serves-0003
start_mock '{"keys": {
  "'$K_A'": {"status": 429, "headers": {"retry-after": "300"}},
  "'$K_B'": {"status": 429, "headers": {"retry-after": "120"}},
  "'$K_OK'": {"text": "served"}}}'
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
SHARED="$REDIS_URL?timeout=$REDIS_TIMEOUT_MS"
machine A
machine B
machine C
ahead() { LD_PRELOAD=$FAKE_LIB FAKETIME=+7m FAKETIME_DONT_FAKE_MONOTONIC=1 "$@"; }
behind() { LD_PRELOAD=$FAKE_LIB FAKETIME=-5m FAKETIME_DONT_FAKE_MONOTONIC=1 "$@"; }

# A (true clock) learns a 300 s cooldown of key a.
shared_pool "a $K_A" "ok $K_OK"
on_machine A run_pool ask "hi"
expect_rc 0
expect_key_requests "$K_A" 1

# B (7 min ahead) learns a 120 s cooldown of key b.
shared_pool "b $K_B" "ok $K_OK"
on_machine B ahead run_pool ask "hi"
expect_rc 0
expect_key_requests "$K_B" 1

shared_pool "a $K_A" "b $K_B" "ok $K_OK"
declare -A left_a=() left_b=()
for m in A B C; do
    wrap=()
    [[ $m == B ]] && wrap=(ahead)
    [[ $m == C ]] && wrap=(behind)
    # Each machine's walk skips both keys: no request sent with them.
    on_machine "$m" "${wrap[@]}" run_pool ask "hi"
    expect_rc 0
    expect_key_requests "$K_A" 1
    expect_key_requests "$K_B" 1
    on_machine "$m" "${wrap[@]}" keys_status
    row_a=$(_object_of_label "$T/status.json" a)
    row_b=$(_object_of_label "$T/status.json" b)
    left_a[$m]=$(json_field retry_in_ms <<<"$row_a")
    left_b[$m]=$(json_field retry_in_ms <<<"$row_b")
    expect_between "${left_a[$m]}" 200000 300000 "machine $m: what is left of A's 300 s cooldown"
    expect_between "${left_b[$m]}" 60000 120000 "machine $m: what is left of B's 120 s cooldown"
    # The fake clock is in effect: the end each machine prints is in its own time.
    until_s=$(date -d "$(json_field until <<<"$row_a")" +%s)
    skew=$((until_s - $(date +%s) - left_a[$m] / 1000))
    case $m in
    A) expect_between "$skew" -30 30 "machine A's clock skew (s)" ;;
    B) expect_between "$skew" 390 450 "machine B's clock skew (s)" ;;
    C) expect_between "$skew" -330 -270 "machine C's clock skew (s)" ;;
    esac
done
# They agree: what is left differs only by the time between the readings.
for m in B C; do
    d=$((left_a[A] - left_a[$m]))
    expect_between "${d#-}" 0 30000 "A and $m disagree on key a by $d ms"
    d=$((left_b[A] - left_b[$m]))
    expect_between "${d#-}" 0 30000 "A and $m disagree on key b by $d ms"
done
echo "ok"
