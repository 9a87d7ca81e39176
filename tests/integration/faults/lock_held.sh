#!/usr/bin/env bash
# docs/contract.md (the state file): "A lock that cannot be had within the bound: a warning, the
# invocation goes on without saving. The request itself never fails because
# of the state file." Another process (flock(1)) holds state.json.lock for
# for the whole test (it never lets go); every bridge run must still answer,
# warn, and be done: finishing at all shows it did not wait for the holder.
# What each run waited for the lock is what bridge itself reports
# (BRIDGE_STATE_TIMING, docs/state.md), not a wall-clock window:
#   a) ask, one 429 key then a good one: exit 0, the answer, a warning;
#   b) the same with stream;
#   c) ask through four 429 keys: the bound is waited once, not once per
#      mark (going on "without saving" means not queueing up for the lock
#      again for every key of the walk);
#   d) keys status needs no lock for a sound state file: it reports no lock
#      attempt at all, and says nothing on stderr;
#   e) a corrupt state file while the lock is held: ask answers; keys status
#      still warns that the file is corrupt (docs/contract.md (the state file): a one-line warning), and
#      the corrupt file is left as it is (it cannot be moved aside unlocked);
#   f) keys reset cannot save: it says so and exits non-zero, having waited
#      the bound once.
# The cases run side by side, so the whole test takes about one bound.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

command -v flock >/dev/null || fail "needs flock(1) from util-linux"
BOUND_US=5000000 # bridge's lock bound (5 s)

start_mock '{"keys": {
  "sk-ant-lock-rate1-aaaaaaaaaaaaaaaa": {"status": 429, "headers": {"retry-after": 600}},
  "sk-ant-lock-rate2-aaaaaaaaaaaaaaaa": {"status": 429, "headers": {"retry-after": 600}},
  "sk-ant-lock-rate3-aaaaaaaaaaaaaaaa": {"status": 429, "headers": {"retry-after": 600}},
  "sk-ant-lock-rate4-aaaaaaaaaaaaaaaa": {"status": 429, "headers": {"retry-after": 600}},
  "sk-ant-lock-rate5-aaaaaaaaaaaaaaaa": {"status": 429, "headers": {"retry-after": 600}},
  "sk-ant-lock-rate6-aaaaaaaaaaaaaaaa": {"status": 429, "headers": {"retry-after": 600}},
  "sk-ant-lock-good-bbbbbbbbbbbbbbbbbb": {"text": "answer despite the lock"}
}}'

kf() {
    local file="$T/$1"
    shift
    (umask 077 && printf '%s\n' "$@" >"$file")
    printf '%s\n' "$file"
}
ONE_RATE=$(kf one-rate "rate1 sk-ant-lock-rate1-aaaaaaaaaaaaaaaa" "good sk-ant-lock-good-bbbbbbbbbbbbbbbbbb")
# Cases a and b each have a 429 key of their own: a mark waiting in the
# journal is seen by every other run at once (docs/state.md), so a shared key
# would already be cooling for the later run.
RATE_A=$(kf rate-a "rate5 sk-ant-lock-rate5-aaaaaaaaaaaaaaaa" "good sk-ant-lock-good-bbbbbbbbbbbbbbbbbb")
RATE_B=$(kf rate-b "rate6 sk-ant-lock-rate6-aaaaaaaaaaaaaaaa" "good sk-ant-lock-good-bbbbbbbbbbbbbbbbbb")
FOUR_RATE=$(kf four-rate "rate1 sk-ant-lock-rate1-aaaaaaaaaaaaaaaa" "rate2 sk-ant-lock-rate2-aaaaaaaaaaaaaaaa" \
    "rate3 sk-ant-lock-rate3-aaaaaaaaaaaaaaaa" "rate4 sk-ant-lock-rate4-aaaaaaaaaaaaaaaa" \
    "good sk-ant-lock-good-bbbbbbbbbbbbbbbbbb")

# A sound state file (one mark of an unrelated key) and a corrupt one.
mkdir -p "$T/sound" "$T/corrupt"
chmod 700 "$T/sound" "$T/corrupt"
printf '%s\n' '{"version": 1, "keys": {"sha256:00000000000000000000000000000000": {"label": "gone", "hint": "...", "mark": "disabled", "since": "2025-01-01T00:00:00Z", "status": 401, "reason": "authentication_error"}}}' >"$T/sound/state.json"
printf '{"version": 1, "keys": {"sha256:0000' >"$T/corrupt/state.json"
chmod 600 "$T/sound/state.json" "$T/corrupt/state.json"
cp "$T/sound/state.json" "$T/sound.orig"
cp "$T/corrupt/state.json" "$T/corrupt.orig"

# The holders: flock(1) takes the lock on fd 8, then the subshell becomes a
# `sleep` that keeps fd 8 (and so the lock) until the test ends.
holders=()
hold() {
    local dir=$1
    (
        exec 8>>"$dir/state.json.lock"
        flock 8
        : >"$dir/locked"
        exec sleep 900 # past the test's own timeout; killed on exit
    ) &
    holders+=($!)
    wait_for_file "$dir/locked" "$HANG_GUARD_S"
}
# shellcheck disable=SC2154 # st and the loop variable are set inside the trap
trap 'st=$?; set +e; for p in "${holders[@]}"; do kill "$p" 2>/dev/null; done; (exit $st); _cleanup' EXIT
hold "$T/sound"
hold "$T/corrupt"
# Sanity: the lock really is taken.
! flock -n "$T/sound/state.json.lock" true || fail "the holder does not hold the lock"

# run_case NAME ARGS...: case_start with bridge's own report of each lock
# wait in $T/NAME.timing (BRIDGE_STATE_TIMING). The holder never lets go, so
# the hang guard only catches a run that waits for it.
run_case() {
    BRIDGE_STATE_TIMING="$T/$1.timing" case_start "$@"
}
U=(--base-url "$MOCK_URL")
run_case a ask --no-stdin --key-file "$RATE_A" --state "$T/sound/state.json" "${U[@]}" q
run_case b stream --no-stdin --key-file "$RATE_B" --state "$T/sound/state.json" "${U[@]}" q
run_case c ask --no-stdin --key-file "$FOUR_RATE" --state "$T/sound/state.json" "${U[@]}" q
run_case d keys status --key-file "$FOUR_RATE" --state "$T/sound/state.json"
run_case e1 ask --no-stdin --key-file "$ONE_RATE" --state "$T/corrupt/state.json" "${U[@]}" q
run_case e2 keys status --key-file "$ONE_RATE" --state "$T/corrupt/state.json"
run_case f keys reset --key-file "$ONE_RATE" --state "$T/sound/state.json"
cases_wait

# load NAME: the case's results as the "last run" for expect_* and fail.
load() {
    case_load "$1"
    CASE=$1
}
# Lock failures are gathered, so that one run reports every case.
late=()
# prompt WHAT: the case (loaded) tried the lock, gave up at the bound
# (outcome=lock-timeout), and waited for it once (at_most_one_wait).
prompt() {
    local file="$T/$CASE.timing"
    if [[ ! -s "$file" ]]; then
        late+=("$1: bridge reported no lock attempt (BRIDGE_STATE_TIMING)")
    elif ! grep -q 'outcome=lock-timeout' "$file"; then
        late+=("$1: no lock attempt gave up at the bound: $(tr '\n' ' ' <"$file")")
    fi
    at_most_one_wait "$1"
}
# at_most_one_wait WHAT: all the lock waits bridge reported for the case but
# the longest add up to less than one bound: after a timeout it tries again
# without waiting, where queueing up again would cost a bound each time.
at_most_one_wait() {
    local file="$T/$CASE.timing" total=0 max=0 us
    [[ -e "$file" ]] || return 0
    while read -r us; do
        total=$((total + us))
        ((us > max)) && max=$us
    done < <(sed -n 's/^wait_us=\([0-9]*\) .*/\1/p' "$file")
    ((total - max < BOUND_US)) ||
        late+=("$1 waited for the lock more than once: $(tr '\n' ' ' <"$file")")
    return 0
}

for c in a b; do
    load "$c"
    expect_rc 0
    expect_out_eq "answer despite the lock"
    expect_err_contains "warning"
    expect_err_contains "lock"
    prompt "case $c"
    echo "case $c: exit 0 after $MS ms"
done

load c
expect_rc 0
expect_out_eq "answer despite the lock"
expect_err_contains "warning"
prompt "case c (four rate-limited keys: the bound must be waited once, not once per mark)"
echo "case c: exit 0 after $MS ms"

load d
expect_rc 0
expect_err_empty
[[ ! -s "$T/d.timing" ]] || fail "keys status tried a lock it does not need: $(cat "$T/d.timing")"
echo "case d: keys status $MS ms, no lock attempt"

load e1
expect_rc 0
expect_out_eq "answer despite the lock"
expect_err_contains "warning"
prompt "case e1 (ask with a corrupt state file: the bound must be waited once, not for the set-aside and again for the mark)"
echo "case e1: exit 0 after $MS ms"

load f
[[ "$RC" != 0 ]] || fail "keys reset reported success although it could not take the lock"
expect_err_contains "lock"
prompt "case f (keys reset)"
echo "case f: keys reset exit $RC after $MS ms"

# Nothing may have been changed behind the lock holder's back.
cmp -s "$T/sound.orig" "$T/sound/state.json" || fail "the state file was rewritten while another process held the lock"
cmp -s "$T/corrupt.orig" "$T/corrupt/state.json" || fail "the corrupt state file was changed or moved without the lock"
[[ -z "$(find "$T/sound" "$T/corrupt" -name 'state.json.tmp.*')" ]] || fail "temporary files left: $(ls "$T/sound" "$T/corrupt")"

load e2
at_most_one_wait "case e2 (keys status, corrupt state)"
echo "case e2: keys status exit $RC after $MS ms"
grep -qF "corrupt" "$T/err" ||
    late+=("case e2: keys status with a corrupt state file said nothing about it while the lock was held (docs/contract.md (the state file): a one-line warning); stderr: '$(cat "$T/err")'")

if ((${#late[@]} > 0)); then
    printf 'FAIL: %s\n' "${late[@]}" >&2
    exit 1
fi
echo "fault_lock_held passed"
