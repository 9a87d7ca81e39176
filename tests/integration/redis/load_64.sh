#!/usr/bin/env bash
# 64 concurrent walks spread over 4 machines (own HOME, working directory and
# local state file each), one Redis server: started together through a
# barrier, each walk's first key answers 429 (after a short delay, so that
# the marks are recorded at about the same moment) and its second key serves.
# All 64 are served, without a warning; Redis holds all 64 cooldowns, which
# `keys status` on any machine reads back; no local state file is written.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

N=64
first_key() { printf 'sk-ant-rload-%02d-first-%s' "$1" "aaaaaaaaaaaaaaaa"; }
second_key() { printf 'sk-ant-rload-%02d-second-%s' "$1" "bbbbbbbbbbbbbbbb"; }

script='{"keys": {'
for ((i = 1; i <= N; i++)); do
    ((i > 1)) && script+=','
    script+="\"$(first_key "$i")\": {\"status\": 429, \"delay_ms\": 300, \"headers\": {\"retry-after\": 3600}},"
    script+="\"$(second_key "$i")\": {\"text\": \"answer for walk $i\"}"
done
script+='}}'
start_mock "$script"
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
STATE="$REDIS_URL?timeout=$REDIS_TIMEOUT_MS"
for m in 0 1 2 3; do machine "m$m"; done

mkdir -p "$T/keys" "$T/run"
for ((i = 1; i <= N; i++)); do
    (umask 077 && printf 'first-%02d %s\nsecond-%02d %s\n' "$i" "$(first_key "$i")" "$i" "$(second_key "$i")" \
        >"$T/keys/$i")
done

mkfifo "$T/go"
exec 9<>"$T/go"
_need BRIDGE
walk() {
    local i=$1
    : >"$T/run/ready.$i"
    read -r _ <"$T/go"
    local rc=0
    timeout -k 5 60 "$BRIDGE" ask --no-stdin --key-file "$T/keys/$i" --state "$STATE" \
        --base-url "$MOCK_URL" "question $i" >"$T/run/out.$i" 2>"$T/run/err.$i" || rc=$?
    echo "$rc" >"$T/run/rc.$i"
}
pids=()
for ((i = 1; i <= N; i++)); do
    on_machine "m$((i % 4))" walk "$i" &
    pids+=($!)
done
for ((w = 0; w < 600; w++)); do
    ready=$(find "$T/run" -name 'ready.*' | wc -l)
    ((ready == N)) && break
    sleep 0.05
done
((ready == N)) || fail "only $ready of $N walks reached the barrier within 30 s"
start_ms=$(now_ms)
printf '%.0s\n' $(seq 1 "$N") >&9
for pid in "${pids[@]}"; do
    wait "$pid" || true
done
exec 9>&-
echo "64 walks over 4 machines on Redis: $(($(now_ms) - start_ms)) ms after the barrier opened"

for ((i = 1; i <= N; i++)); do
    cp "$T/run/out.$i" "$T/out"
    cp "$T/run/err.$i" "$T/err"
    RC=$(cat "$T/run/rc.$i")
    _LAST_CMD="bridge ask (walk $i of $N)"
    expect_rc 0
    expect_out_eq "answer for walk $i"
    expect_err_empty
done
[[ $(wc -l <"$(mock_log)") -eq $((2 * N)) ]] || fail "the mock saw $(wc -l <"$(mock_log)") requests, expected $((2 * N))"

marks=$(redis_marks bridge: | wc -l)
[[ $marks -eq $N ]] || fail "Redis holds $marks of $N marks"
all="$T/all-keys"
(umask 077 && cat "$T"/keys/* >"$all")
for m in 0 1 2 3; do
    KEYS=$all
    on_machine "m$m" keys_status
    [[ $STATUS_RC -eq 0 ]] || fail "machine m$m: keys status exit $STATUS_RC: $(cat "$T/status.err")"
    cooling=$(json_objects "$T/status.json" | grep -c '"state": *"cooling"' || true)
    [[ $cooling -eq $N ]] || fail "machine m$m sees $cooling of $N cooldowns"
    [[ ! -e "$(machine_state "m$m")" ]] || fail "machine m$m wrote a local state file while Redis answered"
done
echo "ok"
