#!/usr/bin/env bash
# A pool of 10,000 keys works and stays fast: keys status (table and JSON)
# with no state, then with a state file that marks 9,998 of them cooling
# (about 2 MB); ask walks past the 9,998 cooling keys, gets a 429 on the
# 9,999th (a mark written into the big state file, every other mark kept) and
# the answer from the last key; then keys status shows 9,999 cooling rows.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/hostile.sh
source "$(dirname "$0")/../lib/hostile.sh"

N=10000
# Bounds against a pathological slowdown only, with room for a loaded machine
# and the sanitizers; speed is measured by bench/, not here.
# Guards against quadratic work, not speed targets (those are in bench/): a
# quadratic walk over 10,000 keys takes minutes; these bounds leave a loaded
# machine running the sanitizer build ample room.
STATUS_MS=90000 # keys status with 10,000 keys; about 0.1 s on a laptop
ASK_MS=120000

key_of() { printf 'sk-ant-many-%05d-xxxxxxxxxxxxxxxx' "$1"; }

start_mock '{"keys": {
  "'"$(key_of 9999)"'": {"status": 429, "headers": {"retry-after": 600}},
  "'"$(key_of 10000)"'": {"text": "the last key answers"}
}, "default": {"text": "a cooling key was sent"}}'

KEYS="$T/keys"
(umask 077 && awk -v n=$N 'BEGIN { for (i = 1; i <= n; i++) printf "key%05d sk-ant-many-%05d-xxxxxxxxxxxxxxxx\n", i, i }' >"$KEYS")
STATE="$T/state/state.json"

timed() {
    local t0
    t0=$(date +%s%3N)
    run_bridge "$@"
    MS=$(($(date +%s%3N) - t0))
    sane
}

# --- no state --------------------------------------------------------------------
timed keys status --key-file "$KEYS" --state "$STATE"
expect_rc 0
[[ $(wc -l <"$T/out") -eq $((N + 1)) ]] || fail "keys status printed $(wc -l <"$T/out") lines, expected $((N + 1))"
((MS < STATUS_MS)) || fail "keys status with $N keys took $MS ms"
echo "keys status, $N keys, no state: $MS ms"

timed keys status --json --key-file "$KEYS" --state "$STATE"
expect_rc 0
[[ $(grep -c '"state": "ready"' "$T/out") -eq $N ]] || fail "keys status --json did not list $N ready keys"
((MS < STATUS_MS)) || fail "keys status --json with $N keys took $MS ms"
echo "keys status --json, $N keys, no state: $MS ms"

# --- a state file marking keys 1..9998 cooling -------------------------------------
# Fingerprints are "sha256:" and the first 32 hex digits of SHA-256(origin,
# newline, key) for a host other than the provider's own, such as the mock
# (docs/marks.md, "Marks belong to a host"); one sha256sum over one small file
# per key computes them all.
mkdir -p "$T/fp" "$T/state"
chmod 700 "$T/state"
awk -v n=$((N - 2)) -v dir="$T/fp" -v origin="$MOCK_URL" 'BEGIN {
    for (i = 1; i <= n; i++) {
        f = sprintf("%s/%05d", dir, i)
        printf "%s\nsk-ant-many-%05d-xxxxxxxxxxxxxxxx", origin, i > f
        close(f)
    } }'
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
until=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
(cd "$T/fp" && sha256sum -- *) | sort -k2 |
    awk -v now="$now" -v until="$until" '
        BEGIN { printf "{\"version\": 1, \"keys\": {" }
        { if (NR > 1) printf ",";
          printf "\"sha256:%s\": {\"label\": \"key%s\", \"hint\": \"sk-a...xxxx\", \"mark\": \"cooling\", \"since\": \"%s\", \"until\": \"%s\", \"status\": 429, \"reason\": \"rate_limit_error\", \"note\": \"kept\"}", substr($1, 1, 32), $2, now, until }
        END { print "}}" }' >"$STATE"
chmod 600 "$STATE"
echo "state file: $(wc -c <"$STATE") bytes"

timed keys status --key-file "$KEYS" --state "$STATE"
expect_rc 0
expect_err_empty
[[ $(grep -c ' cooling ' "$T/out") -eq $((N - 2)) ]] || fail "keys status shows $(grep -c ' cooling ' "$T/out") cooling keys, expected $((N - 2))"
((MS < STATUS_MS)) || fail "keys status with $N keys and $((N - 2)) marks took $MS ms"
echo "keys status, $N keys, $((N - 2)) marks: $MS ms"

timed ask -v --no-stdin --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" q
expect_rc 0
expect_out_eq "the last key answers"
expect_err_not_contains "warning"
((MS < ASK_MS)) || fail "ask through $N keys took $MS ms"
expect_requests 2
echo "ask past $((N - 2)) cooling keys, one 429, then an answer: $MS ms"

timed keys status --json --key-file "$KEYS" --state "$STATE"
expect_rc 0
expect_err_empty
[[ $(grep -c '"state": "cooling"' "$T/out") -eq $((N - 1)) ]] ||
    fail "after the walk $(grep -c '"state": "cooling"' "$T/out") keys are cooling, expected $((N - 1)): a mark was lost"
[[ $(grep -c '"note": "kept"' "$STATE") -eq $((N - 2)) ]] || fail "unknown fields of the entries were not kept on rewrite"
((MS < STATUS_MS)) || fail "keys status --json took $MS ms"
echo "keys status --json, $((N - 1)) marks: $MS ms"

echo "local_key_file_10000 passed"
