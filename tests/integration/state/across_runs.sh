#!/usr/bin/env bash
# docs/contract.md (the failover walk), §3.7, §4: what one run learns is used by the next: a cooling key
# is skipped, then tried again once its cooldown is over; a cooldown is never
# shortened; disabled beats cooling; `keys reset` clears marks; marks are
# written as soon as they are made.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

# --- a cooling key is skipped, then used again when its cooldown is over ------
# The skipped key cools for an hour, so the next run sees it cooling however
# slow the machine is; the key that comes back cools for 1.2 s (as bridge
# recorded it), and the test polls until it is ready before using it.
A1=sk-ant-test-carry-first-Hj0001
A2=sk-ant-test-carry-second-Hj002
A3=sk-ant-test-carry-short-Hj0003
start_mock '{"keys": {
  "'$A1'": [{"status": 429, "headers": {"retry-after": "3600"}}, {"text": "first key again"}],
  "'$A3'": [{"status": 429, "headers": {"retry-after-ms": "1200"}}, {"text": "short key again"}],
  "'$A2'": {"text": "second key"}}}'
setup_pool "first $A1" "second $A2"
run_pool ask "one"
expect_rc 0
expect_out_eq "second key"
run_pool stream "two"
expect_rc 0
expect_out_eq "second key"
expect_key_requests "$A1" 1 # skipped: the mock never saw it again
expect_key_requests "$A2" 2
[[ "$(key_field first state)" == cooling ]] || fail "the one-hour cooldown is not in keys status: $(cat "$T/status.json")"
setup_pool "short $A3" "second $A2"
run_pool ask "three"
expect_rc 0
expect_out_eq "second key"
expect_key_requests "$A3" 1
recorded=$(($(rfc3339_ms "$(model_field short until)") - $(rfc3339_ms "$(model_field short since)")))
expect_between "$recorded" 1198 1202 "the 1.2 s cooldown as the state file records it (until - since)"
wait_until_ready short "$HANG_GUARD_S"
run_pool ask "four"
expect_rc 0
expect_out_eq "short key again"
expect_key_requests "$A3" 2
expect_key_requests "$A2" 3
# A key whose cooldown ended is ready again.
[[ "$(key_field short state)" == ready ]] || fail "the served key is not ready"

# --- concurrent runs: never shortened, disabled beats cooling -------------------
# In each case run "slow" sends its request on key 1 first and gets its answer
# only once the test opens a gate; run "fast" meanwhile gets the second answer
# for key 1 and marks it, and the gate opens when every fast run is over. The
# order is the test's, not a delay's; the cooldowns last long (50 minutes).
B1=sk-ant-test-shorten-first-Hj01
# shellcheck disable=SC2034 # read through ${!second} below
B2=sk-ant-test-shorten-second-Hj2
C1=sk-ant-test-disabled-first-Hj1
# shellcheck disable=SC2034 # read through ${!second} below
C2=sk-ant-test-disabled-secnd-Hj2
D1=sk-ant-test-late401-first-Hj01
# shellcheck disable=SC2034 # read through ${!second} below
D2=sk-ant-test-late401-second-Hj2
start_mock '{"keys": {
  "'$B1'": [{"status": 429, "gate_file": "'$T/gate-conc'", "headers": {"retry-after-ms": "2000"}},
            {"status": 429, "headers": {"retry-after-ms": "3000000"}}],
  "'$C1'": [{"status": 429, "gate_file": "'$T/gate-conc'", "headers": {"retry-after-ms": "3000000"}},
            {"status": 401}],
  "'$D1'": [{"status": 401, "gate_file": "'$T/gate-conc'"},
            {"status": 429, "headers": {"retry-after-ms": "3000000"}}]},
  "default": {"text": "second key"}}' conc
url=$(mock_url conc)
for c in B C D; do
    first=${c}1 second=${c}2
    printf 'first %s\nsecond %s\n' "${!first}" "${!second}" >"$T/keys-$c"
    chmod 600 "$T/keys-$c"
    bg_bridge "slow$c" ask --key-file "$T/keys-$c" --state "$T/state-$c/state.json" --base-url "$url" "slow"
done
wait_for_key_requests "$B1" 1 "$HANG_GUARD_S" conc
wait_for_key_requests "$C1" 1 "$HANG_GUARD_S" conc
wait_for_key_requests "$D1" 1 "$HANG_GUARD_S" conc
t0=$(now_ms)
for c in B C D; do
    bg_bridge "fast$c" ask --key-file "$T/keys-$c" --state "$T/state-$c/state.json" --base-url "$url" "fast"
done
for c in B C D; do
    bg_wait "fast$c" "$HANG_GUARD_S"
    [[ $RC -eq 0 ]] || fail "fast run $c: exit $RC: $(cat "$T/fast$c.err")"
done
for c in B C D; do
    bg_running "slow$c" || fail "slow run $c ended before the fast one had marked its key; the race did not happen"
done
touch "$T/gate-conc"
for c in B C D; do
    bg_wait "slow$c" "$HANG_GUARD_S"
    [[ $RC -eq 0 ]] || fail "slow run $c: exit $RC: $(cat "$T/slow$c.err")"
done
POOL_URL=$url # keys status at the host the marks were learned from (docs/marks.md)
KEYS=$T/keys-B STATE=$T/state-B/state.json
[[ "$(key_field first state)" == cooling ]] || fail "never shortened: key not cooling: $(cat "$T/status.json")"
expect_cooldown first 3000000 "$t0" "a 429 asking 2 s, arriving after one asking 50 minutes (never shortened)"
KEYS=$T/keys-C STATE=$T/state-C/state.json
[[ "$(key_field first state)" == disabled ]] ||
    fail "a 429 arriving after a 401 replaced the disabled mark: $(cat "$T/status.json"; cat "$STATE")"
KEYS=$T/keys-D STATE=$T/state-D/state.json
[[ "$(key_field first state)" == disabled ]] ||
    fail "a 401 arriving after a 429 did not disable the cooling key: $(cat "$T/status.json"; cat "$STATE")"

# --- keys reset LABEL, then keys reset -----------------------------------------
R1=sk-ant-test-reset-cooling-Hj01
R2=sk-ant-test-reset-disabled-Hj2
R3=sk-ant-test-reset-serving-Hj03
start_mock '{"keys": {
  "'$R1'": [{"status": 429, "headers": {"retry-after": "3000"}}, {"text": "cooling key is back"}],
  "'$R2'": [{"status": 401}, {"text": "disabled key is back"}],
  "'$R3'": {"text": "third key"}}}' reset
POOL_URL=$(mock_url reset)
setup_pool "cool $R1" "dis $R2" "serve $R3"
run_pool ask "hi"
expect_out_eq "third key"
[[ "$(key_field cool state)" == cooling ]] || fail "reset setup: $(cat "$T/status.json")"
[[ "$(key_field dis state)" == disabled ]] || fail "reset setup: $(cat "$T/status.json")"
# A label that is not in the key file: a usage error (README), nothing cleared.
run_pool keys reset no-such-label
expect_rc 2
[[ "$(key_field cool state)" == cooling ]] || fail "keys reset no-such-label cleared a mark"
run_pool keys reset cool
expect_rc 0
expect_out_empty
[[ "$(key_field cool state)" == ready ]] || fail "keys reset cool left: $(cat "$T/status.json")"
[[ "$(key_field dis state)" == disabled ]] || fail "keys reset cool cleared another key: $(cat "$T/status.json")"
[[ -z "$(any_mark cool)" ]] || fail "keys reset cool left the entry in the state file: $(cat "$STATE")"
run_pool ask "hi"
expect_rc 0
expect_out_eq "cooling key is back"
run_pool keys reset
expect_rc 0
[[ "$(key_field dis state)" == ready ]] || fail "keys reset left: $(cat "$T/status.json")"
[[ -z "$(any_mark dis)" ]] || fail "keys reset left an entry in the state file: $(cat "$STATE")"
# The formerly disabled key, put first, is tried and serves.
setup_pool "dis $R2" "cool $R1" "serve $R3"
run_pool ask "hi"
expect_rc 0
expect_out_eq "disabled key is back"

# --- marks are written as soon as made ----------------------------------------
E1=sk-ant-test-early-first-Hj0001
E2=sk-ant-test-early-second-Hj002
F1=sk-ant-test-crash-first-Hj0001
F2=sk-ant-test-crash-second-Hj002
start_mock '{"keys": {
  "'$E1'": {"status": 429, "headers": {"retry-after-ms": "3000000"}},
  "'$E2'": {"gate_file": "'$T/gate-early'", "text": "slow second key"},
  "'$F1'": {"status": 429, "headers": {"retry-after-ms": "3000000"}},
  "'$F2'": {"status": 500}}}' early
url=$(mock_url early)
printf 'first %s\nsecond %s\n' "$E1" "$E2" >"$T/keys-E"
chmod 600 "$T/keys-E"
bg_bridge early stream --key-file "$T/keys-E" --state "$T/state-E/state.json" --base-url "$url" "hi"
wait_for_key_requests "$E2" 1 "$HANG_GUARD_S" early
# Polled while the run waits in the second key's answer (the mock holds it
# after its first delta until the test opens the gate): the mark must be in
# the state file before the run ends. Seen first, then the run found still
# going: so it was there while the next key was being tried.
until [[ "$(model_field first mark "$T/state-E/state.json")" == cooling ]]; do
    bg_running early || fail "the run ended and the 429 mark was not in the state file while the next key was being tried"
    sleep 0.05
done
bg_running early || fail "the run ended before the test saw the mark (the gate did not hold)"
touch "$T/gate-early"
bg_wait early "$HANG_GUARD_S"
[[ $RC -eq 0 ]] || fail "early run: exit $RC: $(cat "$T/early.err")"

POOL_URL=$url
setup_pool "first $F1" "second $F2"
run_pool ask "hi"
expect_rc 1
expect_err_contains "500"
[[ "$(model_field first mark)" == cooling ]] || fail "the run failed, and the 429 it learned first was lost: $(cat "$STATE" 2>&1)"
echo "ok"
