#!/usr/bin/env bash
# Hostile local input: corrupt state files. docs/contract.md (the state file): "A corrupt or
# unreadable state file: a one-line warning, the file kept aside as
# state.json.corrupt, and the invocation goes on as if no key were marked.
# Never a crash." For each kind (truncated, random bytes with NUL, empty,
# NULs, `[]`, `null`, `{"version":"1"}`, `{"version":1.5}`, `{"version":0}`,
# `{"version":1,"keys":[]}`, trailing garbage) a walk whose first key answers
# 429: exit 0 with the answer, one warning, the old bytes kept aside
# byte-identical, the new mark saved in a sound new file.
# Then files that are odd but sound (entries of the wrong type, unknown
# fields): nothing is lost. Then deeply nested JSON: a small file must not
# become a huge one, nor crash bridge.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/hostile.sh
source "$(dirname "$0")/../lib/hostile.sh"

need_gnu_time

start_mock '{"keys": {
  "sk-ant-corrupt-rate-aaaaaaaaaaaaaaaa": {"status": 429, "headers": {"retry-after": 600}},
  "sk-ant-corrupt-good-bbbbbbbbbbbbbbbb": {"text": "answered"}
}}'
KEYS=$(write_key_file "rate sk-ant-corrupt-rate-aaaaaaaaaaaaaaaa" "good sk-ant-corrupt-good-bbbbbbbbbbbbbbbb")
D="$T/state"
STATE="$D/state.json"

# fresh CONTENT-WRITER: a new state directory holding the file it writes.
fresh() {
    rm -rf "$D"
    mkdir -p "$D"
    chmod 700 "$D"
    eval "$1" >"$STATE"
    chmod 600 "$STATE"
    cp "$STATE" "$T/orig"
}
rate_is_cooling() {
    run_bridge keys status --json -m claude-sonnet-4-5 --key-file "$KEYS" --state "$STATE"
    sane
    [[ "$RC" == 0 ]] || return 1
    [[ ! -s "$T/err" ]] || return 1
    tr -d '\n ' <"$T/out" | grep -q '"label":"rate","hint":"[^"]*","state":"cooling"'
}

corrupt_case() {
    local name=$1 writer=$2
    fresh "$writer"
    run_bridge ask --no-stdin --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" q
    sane
    _LAST_CMD="$_LAST_CMD ($name)"
    expect_rc 0
    expect_out_eq "answered"
    expect_err_contains "corrupt"
    [[ $(wc -l <"$T/err") -eq 1 ]] || fail "$name: expected a one-line warning"
    [[ -f "$STATE.corrupt" ]] || fail "$name: the corrupt file was not kept as state.json.corrupt"
    cmp -s "$T/orig" "$STATE.corrupt" || fail "$name: state.json.corrupt is not the old file byte for byte"
    rate_is_cooling || fail "$name: the new mark is not in a sound state file: $(cat "$T/err" "$STATE")"
    [[ -z "$(find "$D" -name 'state.json.tmp.*')" ]] || fail "$name: temporary files left"
    echo "$name: exit 0, kept aside, new mark saved"
}

corrupt_case "truncated" "printf '{\"version\": 1, \"keys\": {\"sha256:0123'"
corrupt_case "random bytes" "head -c 4096 /dev/urandom; printf '\\0\\0'"
corrupt_case "empty" ":"
corrupt_case "NUL bytes" "printf '\\0\\0\\0\\0'"
corrupt_case "[]" "echo '[]'"
corrupt_case "null" "echo null"
corrupt_case '{"version":"1"}' "echo '{\"version\":\"1\"}'"
corrupt_case '{"version":1.5}' "echo '{\"version\":1.5,\"keys\":{}}'"
corrupt_case '{"version":0}' "echo '{\"version\":0,\"keys\":{}}'"
corrupt_case '{"version":1,"keys":[]}' "echo '{\"version\":1,\"keys\":[]}'"
corrupt_case "trailing garbage" "echo '{\"version\":1,\"keys\":{}} trailing'"

# keys status also sets a corrupt file aside (and exits by the keys' state).
fresh "echo '{\"version\":1,\"keys\":[]}'"
run_bridge keys status --key-file "$KEYS" --state "$STATE"
sane
expect_rc 0
expect_err_contains "corrupt"
cmp -s "$T/orig" "$STATE.corrupt" || fail "keys status: the corrupt file was not kept aside byte for byte"

# --- odd but sound: nothing may be lost ------------------------------------------------
# The rate key's fingerprint, docs/contract.md (keys): sha256: and 32 hex digits of SHA-256.
# The fingerprint of the key at the mock's origin (docs/marks.md, "Marks belong to a host").
fp_good="sha256:$(printf '%s\n%s' "$MOCK_URL" sk-ant-corrupt-good-bbbbbbbbbbbbbbbb | sha256sum | cut -c1-32)"
fresh "cat <<EOF
{\"version\": 1, \"written_by\": \"a future tool\", \"keys\": {
  \"$fp_good\": {\"label\": \"good\", \"hint\": \"sk-a...bbbb\", \"mark\": \"disabled\", \"since\": \"2025-01-01T00:00:00Z\", \"status\": 401, \"reason\": \"authentication_error\", \"extra\": [1, {\"a\": null}]},
  \"sha256:ffffffffffffffffffffffffffffffff\": 5,
  \"sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\": {\"mark\": \"someday\", \"since\": \"not a time\"},
  \"sha256:dddddddddddddddddddddddddddddddd\": {\"label\": \"gone\", \"mark\": \"disabled\", \"since\": \"2025-01-01T00:00:00Z\", \"status\": 403}
}}
EOF"
# The good key is disabled, so the walk is: rate 429 -> good skipped -> exhausted.
run_bridge ask --no-stdin --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" q
sane
expect_rc 75
expect_err_not_contains "warning"
[[ ! -e "$STATE.corrupt" ]] || fail "a sound file with odd entries was called corrupt"
grep -q '"written_by": "a future tool"' "$STATE" || fail "an unknown top-level field was dropped"
grep -q '"extra"' "$STATE" || fail "an unknown entry field was dropped"
grep -q 'sha256:dddddddddddddddddddddddddddddddd' "$STATE" || fail "the mark of a key no longer in the key file was dropped"
run_bridge keys status --json -m claude-sonnet-4-5 --key-file "$KEYS" --state "$STATE"
sane
expect_rc 75
rows=$(tr -d '\n ' <"$T/out")
grep -q '"label":"rate","hint":"[^"]*","state":"cooling"' <<<"$rows" || fail "the new mark was lost"
grep -q '"label":"good","hint":"[^"]*","state":"disabled"' <<<"$rows" || fail "the old mark was lost"
echo "odd but sound: nothing lost"

# --- deep nesting inside an unknown field ------------------------------------------------
# Valid JSON, a few kilobytes: bridge must neither crash nor turn it into a
# huge file (unknown fields are kept on rewrite, so they are written back).
# The million-deep case runs under a 1 GB address-space limit (unlimited, it
# took 8 GB and 37 s before a SIGSEGV here); ASan cannot run under such a
# limit, so a sanitizer build tries the 10,000-deep case only.
depths="10000 1000000"
if is_sanitizer_build; then
    depths=10000
    echo "skipped: nesting 1000000 deep (sanitizer build: no address-space limit possible)"
fi
for depth in $depths; do
    fresh "printf '{\"version\": 1, \"keys\": {}, \"deep\": '; head -c $depth /dev/zero | tr '\\0' '['; head -c $depth /dev/zero | tr '\\0' ']'; printf '}'"
    in_size=$(wc -c <"$STATE")
    t0=$(date +%s%3N)
    RC=0
    _LAST_CMD="bridge ask (state with an unknown field nested $depth deep)"
    (
        ((depth < 100000)) || ulimit -v 1000000
        exec timeout -k 2 20 "$TIME" -f %M -o "$T/rss" "$BRIDGE" ask --no-stdin --key-file "$KEYS" --state "$STATE" \
            --base-url "$MOCK_URL" q
    ) >"$T/out" 2>"$T/err" || RC=$?
    ms=$(($(date +%s%3N) - t0))
    rss=$(tail -n 1 "$T/rss")
    out_size=$([[ -f "$STATE" ]] && wc -c <"$STATE" || echo 0)
    echo "nesting $depth deep ($in_size bytes): exit $RC after $ms ms, peak RSS $rss KB, state file now $out_size bytes; stdout '$(head -c 100 "$T/out")', stderr '$(head -c 300 "$T/err")'"
    if [[ "$RC" != 0 ]]; then
        problem "a state file of $in_size bytes with an unknown field nested $depth deep: bridge ask exited $RC after $ms ms (peak RSS $rss KB; stderr '$(grep -v '^Command' "$T/err" | head -c 300)'); expected exit 0 with the answer (the file set aside as corrupt, or kept): the request must never fail because of the state file"
    elif ((out_size > 10 * in_size + 100000)); then
        problem "a state file of $in_size bytes with an unknown field nested $depth deep was rewritten as $out_size bytes (peak RSS $rss KB, $ms ms): the pretty-printed rewrite grows with the square of the depth"
    fi
    rm -f "$STATE" "$STATE.corrupt"
done

if ((${#problems[@]} > 0)); then
    printf 'FAIL: %s\n' "${problems[@]}" >&2
    exit 1
fi
echo "local_state_corrupt passed"
