#!/usr/bin/env bash
# No raw ESC, other C0 control, C1 control (U+0080-U+009F, e.g. U+009B, a
# one-character CSI) or stray 8-bit byte from outside reaches stdout or
# stderr on a human-readable output. The sources:
#   - the upstream: an error type, message and request-id holding ESC
#     sequences, BEL and U+009B (ask, ask -v, stream, the mark it leaves);
#     a non-JSON error body with raw 0x9B and ESC bytes; an SSE error event;
#     the same answers to the probes of `keys check` (table and --json);
#   - the state file: a mark's reason planted with \u001b, \u009b and raw
#     UTF-8 C1 characters (keys status table and --json, the -v "skipped"
#     line).
# Each output must be valid UTF-8 (so no lone 8-bit byte), with no C0
# control but newline and no C1 character; the escaped text still shows.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

HOSTILE_TYPE='auth\u001b]0;pwned\u0007\u009b31mtype'
HOSTILE_MSG='msg\u009b2J\u001b[2J\u0085end'
start_mock '{"keys": {
  "sk-ant-test-esc-type-Ee0000000001": {"status": 401, "error_type": "'"$HOSTILE_TYPE"'",
      "error_message": "'"$HOSTILE_MSG"'", "headers": {"request-id": "req\u009b2Jid"}},
  "sk-ant-test-esc-fail-Ee0000000002": {"status": 400, "error_type": "'"$HOSTILE_TYPE"'",
      "error_message": "'"$HOSTILE_MSG"'", "headers": {"request-id": "req\u009b2Jid"}},
  "sk-ant-test-esc-raw-Ee00000000003": {"status": 502, "binary": true, "content_type": "text/plain",
      "body": "\\x9b[2J not json \\x1b[31m \\xc2\\x9b red"},
  "sk-ant-test-esc-event-Ee000000004": {"error_after": 1, "error_type": "'"$HOSTILE_TYPE"'",
      "error_message": "'"$HOSTILE_MSG"'"},
  "sk-ant-test-esc-good-Ee0000000005": {"text": "fine"}
}, "probe": {
  "sk-ant-test-esc-fail-Ee0000000002": {"status": 500, "error_type": "'"$HOSTILE_TYPE"'",
      "error_message": "'"$HOSTILE_MSG"'"},
  "sk-ant-test-esc-raw-Ee00000000003": {"status": 502, "binary": true, "content_type": "text/plain",
      "body": "\\x9b[2J not json \\x1b[31m \\xc2\\x9b red"}
}}'

problems=()
# clean WHAT FILE: valid UTF-8, no C0 control but newline, no C1 character.
clean() {
    local what=$1 file=$2
    if ! iconv -f UTF-8 -t UTF-8 "$file" >/dev/null 2>&1; then
        problems+=("$what: not valid UTF-8 (a raw 8-bit byte got through): $(od -c "$file" | head -n 8 | tr -s ' ' | tr '\n' '|')")
    fi
    if LC_ALL=C grep -qaP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$file"; then
        problems+=("$what: a raw control character got through: $(od -c "$file" | head -n 8 | tr -s ' ' | tr '\n' '|')")
    fi
}
both() {
    clean "$1 (stdout)" "$T/out"
    clean "$1 (stderr)" "$T/err"
}

# --- from the upstream ----------------------------------------------------------------
setup_pool "hostile sk-ant-test-esc-type-Ee0000000001" "good sk-ant-test-esc-good-Ee0000000005"
run_pool ask -v "hi"
expect_rc 0
expect_err_contains 'auth\x1b]0;pwned\x07\xc2\x9b31mtype'
both "ask -v, a 401 with a hostile type"
run_pool stream -v "hi"
expect_rc 0
expect_err_contains "skipped, disabled"
both "stream -v, the skipped line"
run_bridge keys status --key-file "$KEYS" --state "$STATE"
expect_rc 0
expect_out_contains '(401 auth\x1b]0;pwned\x07\xc2\x9b31mtype)'
both "keys status after the upstream's mark"
run_bridge keys status --json --key-file "$KEYS" --state "$STATE"
expect_out_contains '\u001b]0;pwned\u0007\u009b31mtype'
both "keys status --json after the upstream's mark"

setup_pool "fail sk-ant-test-esc-fail-Ee0000000002"
for cmd in ask stream; do
    run_pool "$cmd" -v "hi"
    expect_rc 1
    expect_err_contains 'msg\xc2\x9b2J\x1b[2J\xc2\x85end'
    expect_err_contains 'request-id req\xc2\x9b2Jid'
    both "$cmd, a 400 with a hostile type, message and request-id"
done
run_pool ask --json "hi"
expect_rc 1
both "ask --json, a 400 with a hostile message"
setup_pool "raw sk-ant-test-esc-raw-Ee00000000003"
run_pool ask -v "hi"
expect_rc 1
expect_err_contains '\x9b[2J not json'
both "ask, a non-JSON error body with raw bytes"
run_pool ask --json "hi"
both "ask --json, a non-JSON error body with raw bytes"
setup_pool "event sk-ant-test-esc-event-Ee000000004"
run_pool stream "hi"
expect_rc 1
both "stream, an error event with a hostile type and message"

# keys check shows what each probe's answer said: the same escapes.
setup_pool "fail sk-ant-test-esc-fail-Ee0000000002" "raw sk-ant-test-esc-raw-Ee00000000003"
run_pool keys check
expect_rc 1
expect_out_contains 'msg\xc2\x9b2J\x1b[2J\xc2\x85end'
both "keys check, hostile messages"
run_pool keys check --json
expect_rc 1
expect_out_contains '\u009b2J'
both "keys check --json, hostile messages"

# --- from the state file --------------------------------------------------------------
setup_pool "hostile sk-ant-test-esc-type-Ee0000000001" "good sk-ant-test-esc-good-Ee0000000005"
STATE="$T/planted/state.json"
run_pool ask "hi" # leaves a real mark (its fingerprint), whose reason is then replaced
expect_rc 0
grep -q '"reason"' "$STATE" || fail "no mark to plant into: $(cat "$STATE")"
fp=$(grep -o '"sha256:[0-9a-f]*"' "$STATE" | head -n 1)
[[ -n "$fp" ]] || fail "no fingerprint in the state file: $(cat "$STATE")"
# printf's format turns \xHH into bytes (raw UTF-8 C1 characters) and \\u
# into the JSON escape \u.
printf '{"version": 1, "keys": {%s: {"label": "hostile", "hint": "sk-a...0001", "mark": "disabled", "reason": "st\\u001b[2J\\u009b31m\xc2\x9b\xc2\x85\\u0007end", "since": "2026-01-01T00:00:00Z", "status": 401}}}\n' "$fp" >"$STATE"
grep -q 'st\\u001b' "$STATE" || fail "the planted reason is not in the state file: $(cat -v "$STATE")"
run_bridge keys status --key-file "$KEYS" --state "$STATE"
expect_rc 0
expect_out_contains 'st\x1b[2J\xc2\x9b31m\xc2\x9b\xc2\x85\x07end'
both "keys status, a planted reason"
run_bridge keys status --json --key-file "$KEYS" --state "$STATE"
both "keys status --json, a planted reason"
run_pool ask -v "hi"
expect_rc 0
expect_err_contains 'st\x1b[2J'
both "ask -v, the skipped line of a planted reason"

if ((${#problems[@]} > 0)); then
    printf 'FAIL: %s\n' "${problems[@]}" >&2
    exit 1
fi
echo "security_escapes passed"
