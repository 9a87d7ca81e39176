#!/usr/bin/env bash
# Races decided on the Redis server (one script, atomically):
#   1. B's slow request comes back with a 5 s 429 after A recorded 600 s for
#      the same key: the cooldown stays 600 s, seen from both machines;
#   2. A disables a key (401) while B's slow request for it comes back 429:
#      the key stays disabled;
#   3. A cools a key (429) while B's slow request for it comes back 401: the
#      key ends disabled.
# A 401 marks the whole key and a 429 one model (docs/marks.md), so in 2 and
# 3 the two marks sit side by side (scopes "key" and "model:<name>"), and the
# disabled one decides; in 1 both are the model's, and the server keeps the
# longer.
# B's three walks run at once; the mock holds each of their answers until the
# test opens its gate (every key's first answer); A walks all three keys
# meanwhile and gets each key's second answer at once, then the gate opens.
# The race is the test's to decide, not a delay's: a loaded machine cannot
# lose it. One mock, one host: marks belong to the host they were learned
# from (docs/marks.md).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K1=sk-ant-test-race-long-short-R1
K2=sk-ant-test-race-401-first-R2
K3=sk-ant-test-race-429-first-R3
KG=sk-ant-test-race-good-key-RG
GATE="$T/gate"

start_mock '{"keys": {
  "'$K1'": [{"status": 429, "gate_file": "'$GATE'", "headers": {"retry-after": "5"}},
            {"status": 429, "headers": {"retry-after": "600"}}],
  "'$K2'": [{"status": 429, "gate_file": "'$GATE'", "headers": {"retry-after": "5"}},
            {"status": 401}],
  "'$K3'": [{"status": 401, "gate_file": "'$GATE'"},
            {"status": 429, "headers": {"retry-after": "600"}}],
  "'$KG'": [{"text": "fast served"}, {"text": "slow served"}]}}'
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
SHARED="$REDIS_URL?timeout=$REDIS_TIMEOUT_MS"
machine A
machine B
mkdir -p "$T/kf"
for i in 1 2 3; do
    var=K$i
    (umask 077 && printf 'k%s %s\ngood %s\n' "$i" "${!var}" "$KG" >"$T/kf/b$i")
done
shared_pool "k1 $K1" "k2 $K2" "k3 $K3" "good $KG"

for i in 1 2 3; do
    on_machine B bg_bridge "b$i" ask --key-file "$T/kf/b$i" --state "$STATE" \
        --base-url "$MOCK_URL" "race $i"
done
for i in 1 2 3; do
    var=K$i
    wait_for_key_requests "${!var}" 1 "$HANG_GUARD_S"
done

t0=$(now_ms)
on_machine A run_pool ask "hi"
expect_rc 0
expect_out_eq "fast served"
for i in 1 2 3; do
    bg_running "b$i" || fail "B's slow walk $i ended before A had recorded its marks; the race did not happen"
done
touch "$GATE"

for i in 1 2 3; do
    bg_wait "b$i" 60
    [[ "$RC" == 0 ]] || fail "B's walk $i exited $RC: $(cat "$T/b$i.err")"
    [[ "$(cat "$T/b$i.out")" == "slow served" ]] || fail "B's walk $i: $(cat "$T/b$i.out")"
    # A key refused with 401 is said to be disabled, once; nothing else warns.
    ! grep warning "$T/b$i.err" | grep -qv "is disabled until re-enabled" ||
        fail "B's walk $i warned: $(cat "$T/b$i.err")"
done

for m in A B; do
    on_machine "$m" keys_status
    row1=$(_object_of_label "$T/status.json" k1)
    [[ "$(json_field state <<<"$row1")" == cooling ]] || fail "machine $m: k1 is not cooling: $row1"
    # 600 s, not 5 s: the later 5 s 429 did not shorten it.
    expect_between "$(json_field retry_in_ms <<<"$row1")" $((600000 - ($(now_ms) - t0) - 2)) 600002 \
        "machine $m: what is left of k1's 600 s cooldown"
    [[ "$(_object_of_label "$T/status.json" k2 | json_field state)" == disabled ]] ||
        fail "machine $m: k2 (401, then a 429) is not disabled: $(cat "$T/status.json")"
    [[ "$(_object_of_label "$T/status.json" k2 | json_field status)" == 401 ]] || fail "machine $m: k2's status"
    [[ "$(_object_of_label "$T/status.json" k3 | json_field state)" == disabled ]] ||
        fail "machine $m: k3 (429, then a 401) is not disabled: $(cat "$T/status.json")"
    [[ "$(_object_of_label "$T/status.json" k3 | json_field status)" == 401 ]] || fail "machine $m: k3's status"
done

# On the server: two key-wide disabled marks (k2, k3) without expiry; the
# model's cooldowns each with one, the longest k1's (or k3's) 600 s.
marks=$(redis_marks bridge:)
key_wide=$(awk -F'\t' '$2 == "key" { print $1 }' <<<"$marks")
[[ $(grep -c . <<<"$key_wide") -eq 2 ]] || fail "expected 2 key-wide marks in Redis, found: $marks"
lefts=$(for fp in $key_wide; do redis_mark_left bridge: "$fp" key; done | tr '\n' ' ')
[[ "$lefts" == "-1 -1 " ]] || fail "the key-wide marks: $lefts (expected disabled: $marks)"
[[ $(redis_cli PTTL 'bridge:{pool}:marks') == -1 ]] || fail "the marks hash holds disabled marks, yet expires"
# k2's 5 s cooldown may have ended by now, even between the scan and the
# reading of its end (-2: ended): only the marks still there count.
pttls=$(awk -F'\t' '$2 ~ /^model:/ { print $1, $2 }' <<<"$marks" | while read -r fp scope; do
    redis_mark_left bridge: "$fp" "$scope"; done | grep -vx -- -2 | sort -n | tr '\n' ' ')
[[ "$pttls" =~ ^([0-9]+\ ){2,3}$ ]] || fail "PTTLs of the model cooldowns: $pttls (expected 2 or 3, each expiring)"
long=${pttls% }
long=${long##* }
expect_between "$long" $((600000 - ($(now_ms) - t0) - 2)) 600000 "PTTL of the longest model cooldown"
echo "ok"
