#!/usr/bin/env bash
# docs/contract.md (the state file) state file: a corrupt file draws one warning, is kept aside as
# state.json.corrupt and the run goes on; a newer version is refused with
# exit 78 and left as it is; unknown fields survive a rewrite; ended
# cooldowns are pruned on the next write; a lock that cannot be had within
# its bound draws a warning and the request still succeeds; no temporary
# files are left behind.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

A=sk-ant-test-state-a-429-Ff0001
B=sk-ant-test-state-b-429-Ff0002
C=sk-ant-test-state-c-serves-Ff03
S=sk-ant-test-state-short-Ff0004
start_mock '{"keys": {
  "'$A'": {"status": 429},
  "'$B'": {"status": 429},
  "'$C'": {"text": "served"},
  "'$S'": [{"status": 429, "headers": {"retry-after-ms": "300"}}, {"text": "short again"}]}}'
STATE="$T/st/state.json"
mkdir -p "$T/st"
chmod 700 "$T/st"

# --- corrupt ------------------------------------------------------------------------
printf '{"version": 1, "keys": {"sha256:torn' >"$STATE"
cp "$STATE" "$T/corrupt.orig"
setup_pool "a $A" "c $C"
STATE="$T/st/state.json"
run_pool ask "hi"
expect_rc 0
expect_out_eq "served"
[[ $(wc -l <"$T/err") -eq 1 ]] || fail "a corrupt state file: expected one warning line"
expect_err_contains "corrupt"
[[ -f "$STATE.corrupt" ]] || fail "the corrupt file was not kept as state.json.corrupt"
cmp -s "$STATE.corrupt" "$T/corrupt.orig" || fail "state.json.corrupt is not the corrupt file"
[[ "$(model_field a mark)" == cooling ]] || fail "after a corrupt file, the new mark is not saved: $(cat "$STATE")"
run_pool ask "hi" # the state file is good now: no warning
expect_rc 0
expect_err_empty

# --- unknown fields are kept on rewrite ----------------------------------------------------
sed -i -e '0,/{/s/{/{"x_top_field": {"kept": [1, 2]},/' "$STATE"
sed -i -e 's/\("label"[[:space:]]*:[[:space:]]*"a"\)/\1, "x_entry_field": "kept too"/' "$STATE"
if ! grep -qF '"x_top_field"' "$STATE" || ! grep -qF '"x_entry_field"' "$STATE"; then
    fail "test setup: could not add unknown fields to $(cat "$STATE")"
fi
setup_pool "a $A" "b $B" "c $C"
STATE="$T/st/state.json"
run_pool ask "hi" # writes b's mark
expect_rc 0
expect_err_empty
[[ "$(model_field b mark)" == cooling ]] || fail "b's mark was not written: $(cat "$STATE")"
[[ "$(model_field a mark)" == cooling ]] || fail "a's mark was lost: $(cat "$STATE")"
grep -qF '"x_top_field"' "$STATE" || fail "an unknown top-level field was dropped: $(cat "$STATE")"
tr -d ' \n\t' <"$STATE" | grep -qF '"x_top_field":{"kept":[1,2]}' ||
    fail "an unknown top-level field lost its value: $(cat "$STATE")"
[[ "$(state_field a x_entry_field)" == "kept too" ]] || fail "an unknown field of an entry was dropped: $(cat "$STATE")"
[[ "$(stat -c %a "$STATE")" == 600 ]] || fail "the rewritten state file has mode $(stat -c %a "$STATE")"

# --- ended cooldowns are pruned on the next write -------------------------------------------
setup_pool "s $S" "c $C"
STATE="$T/st/state.json"
run_pool ask "hi"
expect_out_eq "served"
[[ "$(model_field s mark)" == cooling ]] || fail "the short cooldown was not written"
wait_until_ready s "$HANG_GUARD_S"
rm -f "$T/st/state.json.corrupt" # (kept aside above, on purpose)
# A write (a mark on another key) prunes the ended cooldown.
setup_pool "b2 sk-ant-test-state-d-429-Ff0005" "c $C"
STATE="$T/st/state.json"
run_pool ask "hi"
expect_rc 0
[[ -z "$(any_mark s)" ]] || fail "an ended cooldown was not pruned on the next write: $(cat "$STATE")"
[[ "$(model_field a mark)" == cooling ]] || fail "pruning removed a live cooldown: $(cat "$STATE")"
# Nothing but the state file and its lock is left in the directory.
extra=
for f in "$T"/st/* "$T"/st/.[!.]*; do
    [[ -e "$f" ]] || continue
    case ${f##*/} in state.json | state.json.lock) ;; *) extra+=" ${f##*/}" ;; esac
done
[[ -z "$extra" ]] || fail "files left beside the state file: $extra"

# --- the lock is never held during a network request -----------------------------------------
# Run "slow" marks its first key, then streams from its second, which holds
# the rest of its answer until the test opens a gate (at most 30 s); meanwhile run
# "quick" marks a key in the same state file without waiting for any lock.
start_mock '{"keys": {
  "sk-ant-test-state-slow-1-Ff0011": {"status": 429},
  "sk-ant-test-state-slow-2-Ff0012": {"deltas": ["slow ", "done"], "gate_file": "'"$T"'/gate-slow"},
  "sk-ant-test-state-quick-1-Ff013": {"status": 429},
  "sk-ant-test-state-quick-2-Ff014": {"text": "quick"}}}' lock
printf 's1 sk-ant-test-state-slow-1-Ff0011\ns2 sk-ant-test-state-slow-2-Ff0012\n' >"$T/keys-slow"
printf 'q1 sk-ant-test-state-quick-1-Ff013\nq2 sk-ant-test-state-quick-2-Ff014\n' >"$T/keys-quick"
chmod 600 "$T/keys-slow" "$T/keys-quick"
bg_bridge slow stream --key-file "$T/keys-slow" --state "$T/common/state.json" --base-url "$(mock_url lock)" "hi"
wait_for_key_requests sk-ant-test-state-slow-2-Ff0012 1 "$HANG_GUARD_S" lock
# Had slow held the lock, quick would have waited out the bound and warned.
bg_bridge quick ask --key-file "$T/keys-quick" --state "$T/common/state.json" --base-url "$(mock_url lock)" "hi"
bg_wait quick "$HANG_GUARD_S"
[[ $RC -eq 0 ]] || fail "quick run: exit $RC: $(cat "$T/quick.err")"
[[ ! -s "$T/quick.err" ]] || fail "quick run warned (a lock held during a request?): $(cat "$T/quick.err")"
bg_running slow || fail "the slow run ended before its gate was opened"
touch "$T/gate-slow"
bg_wait slow "$HANG_GUARD_S"
[[ $RC -eq 0 ]] || fail "slow run: exit $RC: $(cat "$T/slow.err")"
[[ "$(model_field s1 mark "$T/common/state.json")" == cooling ]] || fail "slow run's mark lost: $(cat "$T/common/state.json")"
[[ "$(model_field q1 mark "$T/common/state.json")" == cooling ]] || fail "quick run's mark lost: $(cat "$T/common/state.json")"

# --- a newer version: exit 78, the file left as it is -------------------------------------------
printf '{"version": 2, "keys": {}, "from": "the future"}\n' >"$T/st/state.json"
cp "$T/st/state.json" "$T/newer.orig"
before=$(mock_requests)
setup_pool "a $A" "c $C"
STATE="$T/st/state.json"
for cmd in ask stream; do
    run_pool "$cmd" "hi"
    expect_rc 78
    expect_out_empty
    expect_err_contains "$STATE"
done
keys_status
[[ $STATUS_RC -eq 78 ]] || fail "keys status on a newer state file: exit $STATUS_RC"
run_bridge keys reset --key-file "$KEYS" --state "$STATE"
expect_rc 78
cmp -s "$STATE" "$T/newer.orig" || fail "a newer state file was changed: $(cat "$STATE")"
[[ ! -e "$STATE.corrupt" ]] || fail "a newer state file was moved aside as corrupt"
expect_requests "$before"

# --- a state path that cannot be read or written: warnings, the request still succeeds ---------
# (A state path that is a directory is refused with 78 instead:
# state/special_paths.sh.)
for bad in "$T/a-file/state.json"; do
    : >"$T/a-file"
    setup_pool "a $A" "c $C"
    STATE=$bad
    run_pool ask "hi"
    expect_rc 0
    expect_out_eq "served"
    [[ -s "$T/err" ]] || fail "state path $bad: no warning"
    expect_err_not_contains "$A"
done

# --- clock safety: a cooldown never lasts longer than the delay that made it -----------------
# As if the wall clock had jumped back an hour after a 60 s cooldown was made:
# its since and until are an hour ahead. It must not last an hour more.
setup_pool "a $A" "c $C"
STATE="$T/clock/state.json"
run_pool ask "hi"
expect_rc 0
[[ "$(model_field a mark)" == cooling ]] || fail "clock test setup: no mark"
# Both from one reading of the clock, so that they are exactly 60 s apart.
now=$(date -u +%s)
since=$(date -u -d "@$((now + 3600))" +%Y-%m-%dT%H:%M:%S.000Z)
until=$(date -u -d "@$((now + 3660))" +%Y-%m-%dT%H:%M:%S.000Z)
sed -i -e "s/\"since\"[[:space:]]*:[[:space:]]*\"[^\"]*\"/\"since\": \"$since\"/" \
    -e "s/\"until\"[[:space:]]*:[[:space:]]*\"[^\"]*\"/\"until\": \"$until\"/" "$STATE"
grep -qF "$until" "$STATE" || fail "clock test setup: could not edit $(cat "$STATE")"
expect_between "$(key_field a retry_in_ms)" 1 60000 "retry_in_ms of a 60 s cooldown made an hour \"in the future\""
setup_pool "a $A"
STATE="$T/clock/state.json"
run_pool ask "hi"
expect_rc 75
grep -qE 'retry after ([1-5]?[0-9]s|1m00s)' "$T/err" || fail "a 60 s cooldown made an hour ahead is reported as longer than 60 s"

# --- a lock held by someone else: a warning, the request still succeeds ----------------------------
setup_pool "a $A" "c $C"
STATE="$T/locked/state.json"
mkdir -p "$T/locked"
chmod 700 "$T/locked"
# A process that holds the lock for 10 minutes (itself: `exec
# sleep`, so killing it frees it). A run that waited for it would end in
# run_bridge's guard (exit 124), not with the answer.
(
    exec 9>"$STATE.lock"
    flock 9
    exec sleep 600
) </dev/null >/dev/null 2>&1 &
holder=$!
# lock_is_held: the holder has the lock (a try to take it fails).
lock_is_held() { ! flock -n "$STATE.lock" true 2>/dev/null; }
wait_until "$HANG_GUARD_S" "the holder taking $STATE.lock" lock_is_held
run_pool ask "hi"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
expect_rc 0
expect_out_eq "served"
[[ -s "$T/err" ]] || fail "no warning when the state lock could not be had"
expect_err_contains "lock"
echo "ok"
