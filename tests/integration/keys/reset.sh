#!/usr/bin/env bash
# `keys reset` with no label clears the marks of this key file's keys only:
# a state file shared with another key file keeps that file's marks.
# `keys reset --all` clears every mark. Labels clear those keys.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

A1=sk-ant-test-reset-a-one-Rr00001
A2=sk-ant-test-reset-a-two-Rr00002
B1=sk-ant-test-reset-b-one-Rr00003
start_mock '{"keys": {
  "'$A1'": {"status": 429, "headers": {"retry-after": "600"}},
  "'$A2'": {"status": 401},
  "'$B1'": {"status": 429, "headers": {"retry-after": "600"}}}}'
STATE="$T/common/state.json"
printf 'a1 %s\na2 %s\n' "$A1" "$A2" >"$T/keys-a"
printf 'b1 %s\n' "$B1" >"$T/keys-b"
chmod 600 "$T/keys-a" "$T/keys-b"

mark_all() {
    for f in a b; do
        run_bridge ask --key-file "$T/keys-$f" --state "$STATE" --base-url "$MOCK_URL" hi
        [[ $RC -eq 75 || $RC -eq 77 ]] || fail "marking the keys of $f: exit $RC"
    done
    for label in a1 a2 b1; do
        [[ -n "$(any_mark "$label")" ]] || fail "$label not marked: $(cat "$STATE")"
    done
}

mark_all
run_bridge keys reset --key-file "$T/keys-a" --state "$STATE"
expect_rc 0
expect_err_contains "cleared 2 marks"
[[ -z "$(any_mark a1)" && -z "$(any_mark a2)" ]] || fail "a's marks left: $(cat "$STATE")"
[[ "$(any_mark b1)" == cooling ]] || fail "keys reset of key file a cleared b's mark: $(cat "$STATE")"

# A label: only that key.
mark_all
run_bridge keys reset a2 --key-file "$T/keys-a" --state "$STATE"
expect_rc 0
[[ -z "$(any_mark a2)" ]] || fail "a2 still marked"
[[ -n "$(any_mark a1)" && -n "$(any_mark b1)" ]] || fail "a label cleared other keys: $(cat "$STATE")"

# --all: everything, whichever key file made it.
run_bridge keys reset --all --key-file "$T/keys-a" --state "$STATE"
expect_rc 0
for label in a1 a2 b1; do
    [[ -z "$(any_mark "$label")" ]] || fail "--all left $label: $(cat "$STATE")"
done
# Labels and --all together: a usage error.
run_bridge keys reset a1 --all --key-file "$T/keys-a" --state "$STATE"
expect_rc 2
expect_err_contains "--all"
echo "ok"
