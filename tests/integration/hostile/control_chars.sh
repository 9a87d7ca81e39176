#!/usr/bin/env bash
# Hostile upstream: error messages (valid JSON) that carry terminal control
# sequences and line breaks: ESC [2J (clear the screen), ESC ]0;...BEL (set
# the window title), CR LF followed by a forged line. docs/contract.md (output and exit statuses): everything
# but the answer goes to stderr prefixed "bridge: " — so a diagnostic is one
# line (or several, each prefixed), and the upstream's bytes must not drive
# the user's terminal or forge bridge output. The answer itself (stdout) is
# the model's text and is printed as it is. With --json / --raw the message
# is JSON-escaped, so it is safe by construction.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/hostile.sh
source "$(dirname "$0")/../lib/hostile.sh"


MSG='\u001b[2J\u001b]0;pwned\u0007 cleared\r\nbridge: answer served by key forged (sk-a...xxxx)'
ERR_BODY='{"type":"error","error":{"type":"invalid_request_error","message":"'"$MSG"'"}}'
EV=$(printf 'event: message_start\ndata: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"m"}}\n\nevent: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"%s"}}' "$MSG")$'\n\n'
start_mock '{"keys": {
  "sk-ant-ctl-error-aaaaaaaaaaaaaaaaaa": {"status": 400, "body": '"$(jstr "$ERR_BODY")"'},
  "sk-ant-ctl-event-aaaaaaaaaaaaaaaaaa": {"chunks": ['"$(jstr "$EV")"']},
  "sk-ant-ctl-text-aaaaaaaaaaaaaaaaaaa": {"text": "tab\there \u001b[1mbold\u001b[0m"}
}}'

# check_stderr WHAT: no ESC, BEL or CR, and every line prefixed "bridge: ".
check_stderr() {
    if LC_ALL=C grep -q $'[\x1b\x07\r]' "$T/err"; then
        problem "$1: raw control characters from the upstream reached the terminal (stderr: $(od -c "$T/err" | head -n 6 | tr -s ' ' | tr '\n' '|'))"
    fi
    if grep -qv '^bridge: ' "$T/err" || [[ $(grep -c 'answer served by key forged' "$T/err") -gt 0 && $(wc -l <"$T/err") -gt 1 ]]; then
        problem "$1: the upstream message broke out of its line (stderr has $(wc -l <"$T/err") lines; a line can be forged to look like bridge's own output): $(cat -v "$T/err" | tr '\n' '|')"
    fi
}

send sk-ant-ctl-error-aaaaaaaaaaaaaaaaaa ask
expect_rc 1
expect_out_empty
expect_err_contains "400"
check_stderr "ask, upstream error message"

send sk-ant-ctl-error-aaaaaaaaaaaaaaaaaa ask --json
expect_rc 1
[[ $(wc -l <"$T/err") -eq 1 ]] || fail "ask --json: the error must be one JSON line"
! LC_ALL=C grep -q $'[\x1b\x07\r]' "$T/err" || fail "ask --json: raw control characters in the JSON line"

send sk-ant-ctl-event-aaaaaaaaaaaaaaaaaa stream
expect_rc 1
check_stderr "stream, upstream error event"

# The answer is the model's text: printed as it is.
send sk-ant-ctl-text-aaaaaaaaaaaaaaaaaaa ask
expect_rc 0
printf 'tab\there \x1b[1mbold\x1b[0m\n' >"$T/expected"
cmp -s "$T/expected" "$T/out" || fail "ask: the answer text must be printed byte for byte"

if ((${#problems[@]} > 0)); then
    printf 'FAIL: %s\n' "${problems[@]}" >&2
    exit 1
fi
echo "hostile_control_chars passed"
