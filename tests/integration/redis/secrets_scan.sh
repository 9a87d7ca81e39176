#!/usr/bin/env bash
# No key bytes anywhere in Redis. Distinctive keys go through every way a
# mark is made or read with Redis state (429, 401, 403, a 500, success,
# keys status, keys reset of one label, -v; an upstream that quotes the key
# it was sent in the error type that becomes a mark's reason, by a request
# and by keys check), then every key name and value in
# the server (HGETALL, SMEMBERS, GET of each key SCAN finds) and a snapshot
# of the whole database (RDB, uncompressed) are scanned for each key: raw,
# any 12 characters of it in a row, base64 (three alignments), URL-encoded,
# JSON-escaped and hex (the needles of security/secrets_scan.sh). None may appear.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/secrets.sh
source "$(dirname "$0")/../lib/secrets.sh"

declare -A K=()
for tag in RATE AUTH PERM FAIL GOOD RESET ECHO ECHOCHECK; do
    K[$tag]="sk-ant-api03-R${tag}+Qx7/Zr9=Lm3+Np5/Vt8=wS${#tag}k"
done
script='{"keys": {'
script+="\"${K[RATE]}\": {\"status\": 429, \"headers\": {\"retry-after\": 600}},"
script+="\"${K[RESET]}\": {\"status\": 429},"
script+="\"${K[AUTH]}\": {\"status\": 401},"
script+="\"${K[PERM]}\": {\"status\": 403},"
script+="\"${K[FAIL]}\": {\"status\": 500},"
script+="\"${K[GOOD]}\": {\"text\": \"good answer\"},"
script+="\"${K[ECHO]}\": {\"status\": 403, \"error_type\": \"{{credential}}\", \"error_message\": \"{{key}}\"}"
script+='}, "probe": {'
script+="\"${K[ECHOCHECK]}\": {\"status\": 401, \"error_type\": \"bad_{{key}}\"}"
script+='}}'
start_mock "$script"
start_redis
export REDISCLI_AUTH=$REDIS_PASSWORD
SHARED="$REDIS_URL/2?prefix=scan:&timeout=$REDIS_TIMEOUT_MS"

shared_pool "rate ${K[RATE]}" "reset ${K[RESET]}" "auth ${K[AUTH]}" "perm ${K[PERM]}" "good ${K[GOOD]}"
run_pool ask -v "hi"
expect_rc 0
run_pool stream -v "hi"
expect_rc 0
run_pool keys status
run_pool keys reset reset
expect_rc 0
shared_pool "fail ${K[FAIL]}" "good ${K[GOOD]}"
run_pool ask -v --retries 1 "hi"
expect_rc 1
# The mark's reason is the error type, with the key replaced by its hint.
shared_pool "echo ${K[ECHO]}" "good ${K[GOOD]}" "echocheck ${K[ECHOCHECK]}"
run_pool ask -v "hi"
expect_rc 0
run_pool keys check echocheck
expect_rc 77
declare -A REASON=()
while IFS=$'\t' read -r _ scope _ _ _ _ label _ reason; do
    [[ $scope == key ]] && REASON[$label]=$reason
done < <(redis_marks scan: -n 2)
[[ "${REASON[echo]-}" == "sk-a...wS4k" ]] || fail "echo's reason in Redis: '${REASON[echo]-}'"
[[ "${REASON[echocheck]-}" == "bad_sk-a...wS9k" ]] || fail "echocheck's reason in Redis: '${REASON[echocheck]-}'"
shared_pool "rate ${K[RATE]}" "auth ${K[AUTH]}" "perm ${K[PERM]}" "good ${K[GOOD]}"
keys_status
[[ "$(_object_of_label "$T/status.json" rate | json_field state)" == cooling ]] || fail "the scan would look at an empty server: $(cat "$T/status.json")"
[[ "$(_object_of_label "$T/status.json" auth | json_field state)" == disabled ]] || fail "auth not disabled"

# ---- everything in the server, as text and as a snapshot --------------------------
mkdir -p "$T/dump"
n=0
while IFS= read -r name; do
    n=$((n + 1))
    {
        printf 'KEY %s\n' "$name"
        case $(redis_cli -n 2 TYPE "$name") in
        hash) redis_cli -n 2 HGETALL "$name" ;;
        set) redis_cli -n 2 SMEMBERS "$name" ;;
        string) redis_cli -n 2 GET "$name" ;;
        *) echo "unexpected type" ;;
        esac
    } >>"$T/dump/values.txt"
done < <(redis_cli -n 2 --scan)
(($(redis_marks scan: -n 2 | grep -c .) >= 4)) || fail "only $n keys and fewer than 4 marks in Redis: $(cat "$T/dump/values.txt")"
grep -qx 'KEY scan:{pool}:marks' "$T/dump/values.txt" || fail "no mark in the dump"
grep -qP '\trate\t' "$T/dump/values.txt" || fail "the marks do not carry the label: $(cat "$T/dump/values.txt")"
redis_cli CONFIG SET rdbcompression no >/dev/null
redis_cli --rdb "$T/dump/dump.rdb" >/dev/null 2>&1 || fail "cannot take a snapshot of the server"
[[ -s "$T/dump/dump.rdb" ]] || fail "empty snapshot"
grep -qaF 'scan:{pool}:marks' "$T/dump/dump.rdb" || fail "the snapshot does not hold the marks"

for tag in "${!K[@]}"; do
    needles "${K[$tag]}" >"$T/needles"
    # Where (file, offset, a hint), never the bytes: the snapshot is binary.
    hits=$(find_needles "$T/needles" "$T/dump")
    [[ -z "$hits" ]] || fail "key $tag is in Redis: $hits"
done
echo "redis_secrets_scan passed: ${#K[@]} keys, $n Redis keys and a snapshot scanned"
