#!/usr/bin/env bash
# The command line as people type it: --wait with its value as the next word,
# unknown commands named with a suggestion, `bridge help [COMMAND]`, short
# option errors in words, options of a subcommand written before it, and the
# help text showing the real syntax.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"keys": {
  "sk-ant-test-cli-cool-Cc00000001": {"status": 429, "headers": {"retry-after-ms": "40000"}}},
  "default": {"text": "fine"}}'
setup_pool "only sk-ant-test-cli-ok-Cc0000000002"

# prompt_sent N: the content of the Nth request the mock logged.
prompt_sent() {
    sed -n "$1p" "$(mock_log)" | sed -n 's/.*"content":"\([^"]*\)".*/\1/p'
}

# --- --wait 60 is MAX=60; only a number is taken ------------------------------------
run_pool ask --wait 60 hi
expect_rc 0
[[ "$(prompt_sent 1)" == "hi" ]] || fail "--wait 60 hi sent the prompt '$(prompt_sent 1)'"
run_pool ask --wait hi
expect_rc 0
[[ "$(prompt_sent 2)" == "hi" ]] || fail "--wait hi sent the prompt '$(prompt_sent 2)'"
run_pool ask --wait=60 hi there
expect_rc 0
[[ "$(prompt_sent 3)" == "hi there" ]] || fail "--wait=60 hi there sent '$(prompt_sent 3)'"
run_pool ask hi --wait 2.5
expect_rc 0
[[ "$(prompt_sent 4)" == "hi" ]] || fail "hi --wait 2.5 sent '$(prompt_sent 4)'"
run_pool ask --wait 60
expect_rc 2
expect_err_contains "no prompt"

# --wait=5 too short for the soonest key (40 s): exit 75, and it says so.
setup_pool "cool sk-ant-test-cli-cool-Cc00000001"
STATE="$T/state-cool/state.json"
run_pool ask --wait 5 hi
expect_rc 75
expect_err_contains "--wait=5 is too short"
run_pool ask hi
expect_rc 75
expect_err_not_contains "--wait"
# One key: the grammar of one.
expect_err_contains "the only configured key is rate-limited"
setup_pool "only sk-ant-test-cli-ok-Cc0000000002"

# --- the help shows the real syntax -----------------------------------------------
run_bridge ask --help
expect_rc 0
grep -qE '^ +--wait \[MAX\] ' "$T/out" || fail "ask --help does not show '--wait [MAX]'"
expect_out_not_contains "{300}"
grep -qE '^ +--stop SEQ ' "$T/out" || fail "ask --help does not show '--stop SEQ'"
expect_out_not_contains "SEQ ..."
expect_out_not_contains "Excludes"

# --- unknown commands: the word, and the nearest command ------------------------------
run_bridge ak hi
expect_rc 2
expect_err_contains "'ak' is not a command"
expect_err_contains "did you mean 'ask'?"
expect_out_empty
run_bridge keys stat --key-file "$KEYS"
expect_rc 2
expect_err_contains "'stat' is not a command of bridge keys"
expect_err_contains "did you mean 'status'?"
run_bridge strem hi
expect_rc 2
expect_err_contains "did you mean 'stream'?"
run_bridge zzzzzzzz
expect_rc 2
expect_err_contains "'zzzzzzzz' is not a command"
expect_err_not_contains "did you mean"
run_bridge
expect_rc 2
expect_err_contains "no command given"
run_bridge keys --key-file "$KEYS"
expect_rc 2
expect_err_contains "status, reset or check"

# A word (or an option) where none is taken is refused without quoting it:
# it may be a key pasted on the command line.
run_bridge keys status sk-ant-test-cli-pasted-Cc000009 --key-file "$KEYS"
expect_rc 2
expect_err_contains "takes no words"
expect_err_not_contains "pasted"
run_bridge parse-retry-after sk-ant-test-cli-pasted-Cc000009
expect_rc 2
expect_err_not_contains "pasted"
run_bridge keys status --key sk-ant-test-cli-pasted-Cc000009 --key-file "$KEYS"
expect_rc 2
expect_err_contains "unknown option --key"
expect_err_contains "did you mean --key-file?"
expect_err_not_contains "pasted"

# --- bridge help [COMMAND] -------------------------------------------------------------
run_bridge help
expect_rc 0
expect_out_contains "Subcommands:"
run_bridge help ask
expect_rc 0
expect_out_contains "--max-tokens"
run_bridge help keys status
expect_rc 0
expect_out_contains "--json"
run_bridge help ak
expect_rc 2
expect_err_contains "did you mean 'ask'?"

# --- option errors in a few words ------------------------------------------------------
for args in "--timeout 0" "--timeout abc" "--connect-timeout -1" "--idle-timeout 0"; do
    # shellcheck disable=SC2086
    run_pool ask $args hi
    expect_rc 2
    expect_err_contains "a number of seconds greater than 0"
    (($(wc -c <"$T/err") < 300)) || fail "$args: a long message: $(cat "$T/err")"
done
run_pool ask -t 1.5 hi
expect_rc 2
expect_err_contains "'1.5' is out of anthropic's range, 0 to 1"
expect_err_not_contains "000000"
run_pool ask --max-tokens 0 hi
expect_rc 2
expect_err_contains "a whole number from 1 to 100000000"
run_pool ask --retries 101 hi
expect_rc 2
expect_err_contains "a whole number from 0 to 100"
run_pool ask --request "$T/nothing.json" -m other
expect_rc 2
expect_err_contains "--model cannot be combined"

# --- an option of a subcommand before it -----------------------------------------------
run_bridge --connect-timeout 3 ask hi
expect_rc 2
expect_err_contains "--connect-timeout is an option of 'bridge ask'"
expect_err_contains "bridge ask --connect-timeout"
expect_err_not_contains "not expected"
run_bridge --json keys status
expect_rc 2
expect_err_contains "--json is an option of"
# Global options before the command still work.
run_bridge -q --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" ask hi
expect_rc 0
expect_out_eq "fine"
echo "ok"
