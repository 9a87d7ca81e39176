#!/usr/bin/env bash
# Two machines whose wall clocks disagree by minutes agree on every cooldown
# shared through Redis: a cooling mark is a relative expiry on the server
# (PX), read back as the time the server has left (PTTL). Machine B runs with
# its clock 7 minutes ahead (libfaketime), machine C 5 minutes behind. The
# cooldowns last long (50 and 20 minutes) and every bound is derived from the
# times the test took around each run, so a slow machine cannot miss them.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

FAKE_LIB=$(find /usr/lib -name libfaketime.so.1 -path '*faketime*' 2>/dev/null | head -n 1)
[[ -n "$FAKE_LIB" ]] || fail "libfaketime is not installed (.ci/install-deps --test)"
# The sanitizer runtime must come first, unless told not to check. And
# ASan's allocator must not read the clock: the first time it does (to date
# a region it may give back to the system) libfaketime is not set up yet,
# looks up the real clock_gettime with dlsym, which allocates, and the
# allocator waits on its own lock for ever (seen with the clang build's
# line-tables-only flags). Never giving memory back needs no date.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0:allocator_release_to_os_interval_ms=-1"

K_A=sk-ant-test-skew-by-a-000001
K_B=sk-ant-test-skew-by-b-000002
K_OK=sk-ant-test-skew-serves-0003
start_mock '{"keys": {
  "'$K_A'": {"status": 429, "headers": {"retry-after": "3000"}},
  "'$K_B'": {"status": 429, "headers": {"retry-after": "1200"}},
  "'$K_OK'": {"text": "served"}}}'
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
SHARED="$REDIS_URL?timeout=$REDIS_TIMEOUT_MS"
machine A
machine B
machine C
ahead() { LD_PRELOAD=$FAKE_LIB FAKETIME=+7m FAKETIME_DONT_FAKE_MONOTONIC=1 "$@"; }
behind() { LD_PRELOAD=$FAKE_LIB FAKETIME=-5m FAKETIME_DONT_FAKE_MONOTONIC=1 "$@"; }

# A (true clock) learns a 3000 s cooldown of key a.
shared_pool "a $K_A" "ok $K_OK"
t_a=$(now_ms)
on_machine A run_pool ask "hi"
expect_rc 0
expect_key_requests "$K_A" 1

# B (7 min ahead) learns a 1200 s cooldown of key b.
shared_pool "b $K_B" "ok $K_OK"
t_b=$(now_ms)
on_machine B ahead run_pool ask "hi"
expect_rc 0
expect_key_requests "$K_B" 1

shared_pool "a $K_A" "b $K_B" "ok $K_OK"
declare -A left_a=() left_b=() read_start=() read_end=()
for m in A B C; do
    wrap=()
    [[ $m == B ]] && wrap=(ahead)
    [[ $m == C ]] && wrap=(behind)
    # Each machine's walk skips both keys: no request sent with them.
    on_machine "$m" "${wrap[@]}" run_pool ask "hi"
    expect_rc 0
    expect_key_requests "$K_A" 1
    expect_key_requests "$K_B" 1
    read_start[$m]=$(now_ms)
    on_machine "$m" "${wrap[@]}" keys_status
    read_end[$m]=$(now_ms)
    row_a=$(_object_of_label "$T/status.json" a)
    row_b=$(_object_of_label "$T/status.json" b)
    left_a[$m]=$(json_field retry_in_ms <<<"$row_a")
    left_b[$m]=$(json_field retry_in_ms <<<"$row_b")
    # What is left is the cooldown less at most the time since its run began
    # (a millisecond of rounding each way), whatever the machine's clock says.
    expect_between "${left_a[$m]}" $((3000000 - (read_end[$m] - t_a) - 2)) 3000002 \
        "machine $m: what is left of A's 3000 s cooldown"
    expect_between "${left_b[$m]}" $((1200000 - (read_end[$m] - t_b) - 2)) 1200002 \
        "machine $m: what is left of B's 1200 s cooldown"
    # The fake clock is in effect: the end each machine prints is in its own
    # time. until - now - left is the machine's offset, less the seconds
    # since its keys status (one second of rounding each way, and one for
    # `date`).
    until_s=$(date -d "$(json_field until <<<"$row_a")" +%s)
    skew=$((until_s - $(date +%s) - left_a[$m] / 1000))
    since_read=$((($(now_ms) - read_start[$m]) / 1000))
    case $m in
    A) offset=0 ;;
    B) offset=420 ;;
    C) offset=-300 ;;
    esac
    expect_between "$skew" $((offset - since_read - 3)) $((offset + 3)) "machine $m's clock skew (s)"
done
# They agree: what is left differs only by the time between the readings
# (A's reading, then B's, then C's; a millisecond of rounding each way).
for m in B C; do
    d=$((left_a[A] - left_a[$m]))
    expect_between "$d" $((read_start[$m] - read_end[A] - 2)) $((read_end[$m] - read_start[A] + 2)) \
        "A and $m disagree on key a by $d ms"
    d=$((left_b[A] - left_b[$m]))
    expect_between "$d" $((read_start[$m] - read_end[A] - 2)) $((read_end[$m] - read_start[A] + 2)) \
        "A and $m disagree on key b by $d ms"
done
echo "ok"
