#!/usr/bin/env bash
# docs/contract.md (keys) "Key file": comments, blank lines, surrounding white space, a BOM,
# CRLF; unlabelled keys are key-N by position among the keys; missing,
# keyless, duplicate keys or labels, lines of three fields are exit 78 with
# the path or line numbers (never the line itself); a key file readable by
# group or others draws a warning, then the run goes on.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"keys": {
  "sk-ant-test-kf-labelled-Jj0001": {"status": 429},
  "sk-ant-test-kf-unlabelled-Jj02": {"status": 401},
  "sk-ant-test-kf-third-Jj0000003": {"text": "served by key-3"}}}'
STATE="$T/state/state.json"

# --- a well-formed file with every allowed oddity -------------------------------------
printf '\xEF\xBB\xBF# a comment\r\n\r\n   \t\r\n  first \t sk-ant-test-kf-labelled-Jj0001  \r\n\tsk-ant-test-kf-unlabelled-Jj02\r\n#second-label sk-commented-out-000000\r\nsk-ant-test-kf-third-Jj0000003' >"$T/keys"
chmod 600 "$T/keys"
KEYS=$T/keys
keys_status
[[ $STATUS_RC -eq 0 ]] || fail "keys status on a well-formed file: exit $STATUS_RC: $(cat "$T/status.err")"
[[ ! -s "$T/status.err" ]] || fail "keys status warned: $(cat "$T/status.err")"
labels=$(json_objects "$T/status.json" | while read -r o; do json_field label <<<"$o"; done | tr '\n' ' ')
[[ "$labels" == "first key-2 key-3 " ]] || fail "labels in key order: '$labels', want 'first key-2 key-3'"
[[ "$(key_field first hint)" == "sk-a...0001" ]] || fail "hint of first: $(cat "$T/status.json")"
# The keys are sent exactly (no BOM, no CR, no blanks): the mock knows them.
run_pool ask "hi"
expect_rc 0
expect_out_eq "served by key-3"
expect_key_requests sk-ant-test-kf-labelled-Jj0001 1
expect_key_requests sk-ant-test-kf-unlabelled-Jj02 1
expect_key_requests sk-ant-test-kf-third-Jj0000003 1
expect_mock_log_not_contains "sk-commented-out"

# --- errors: exit 78 ---------------------------------------------------------------------
# expect_err_number N: stderr names the number N (a line number), as a word.
expect_err_number() {
    # (the path, which may hold digits, left out)
    sed "s|$T/bad-keys||g" "$T/err" | grep -qE "(^|[^0-9])$1([^0-9]|\$)" || fail "expected stderr to name line $1"
}
bad() {
    printf '%b' "$1" >"$T/bad-keys"
    chmod 600 "$T/bad-keys"
    KEYS=$T/bad-keys
    run_pool ask "hi"
    expect_rc 78
    expect_out_empty
    run_bridge keys status --key-file "$KEYS" --state "$STATE"
    expect_rc 78
}
before=$(mock_requests)
KEYS=$T/no-such-keys
run_pool ask "hi"
expect_rc 78
expect_err_contains "$T/no-such-keys"
bad '# nothing but comments\n\n   \n'
expect_err_contains "$T/bad-keys"
bad 'alpha sk-ant-test-kf-dup-key-00001\n# x\n\nbeta sk-ant-test-kf-dup-key-00001\n'
expect_err_number 1
expect_err_number 4
expect_err_not_contains "sk-ant-test-kf-dup-key-00001"
bad 'same sk-ant-test-kf-dup-lbl-00001\nother sk-ant-test-kf-dup-lbl-00002\nsame sk-ant-test-kf-dup-lbl-00003\n'
expect_err_number 1
expect_err_number 3
bad 'ok sk-ant-test-kf-fields-0000001\n\nlabel sk-ant-test-kf-three-SECRET extra-field-SECRET\n'
expect_err_number 3
expect_err_not_contains "SECRET"
expect_requests "$before"

# --- readable by others: a warning, then on -------------------------------------------
printf 'only sk-ant-test-kf-third-Jj0000003\n' >"$T/open-keys"
chmod 644 "$T/open-keys"
KEYS=$T/open-keys
run_pool ask "hi"
expect_rc 0
expect_out_eq "served by key-3"
expect_err_contains "$T/open-keys"
grep -qiE 'group|other|644|chmod' "$T/err" || fail "the warning does not say what is wrong"
run_pool ask -q "hi"
expect_rc 0
expect_err_empty # -q silences warnings (README)
echo "ok"
